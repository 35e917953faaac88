"""Every state change of a review happens here (R2).

    submitted ──pipeline──> published | rejected | in_review
    in_review ──moderator─> published | rejected
    published ──author────> withdrawn      published ──moderator──> removed
    rejected | removed ──appeal──> published
    submitted | in_review ──author──> withdrawn

Text and rating never change after submission (NF-MOD-5): there is no edit, only
`withdraw_review` and a new review.
"""

import hashlib
import unicodedata
from datetime import date, datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import ensure_can_write_publicly
from audit.models import AuditEvent
from audit.services import record_event
from brands.invitations import lock_usable_invitation, mark_invitation_used
from brands.models import Brand, Invitation, Place
from brands.page_cache import touch_brand_page
from brands.selectors import is_brand_member
from config.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from config.text import has_control_characters
from moderation.checks.content import detect_language
from moderation.models import Decision, ProofRequest, Report
from moderation.services import close_withdrawn_content, file_report, submit_for_moderation
from reviews.fingerprints import device_hash, network_hash
from reviews.models import ALLOWED_TRANSITIONS, LIVE_STATUSES, HelpfulVote, Review
from reviews.ratings import record_rating_change, record_review_received

_ALLOWED_CONTROL = frozenset({"\n", "\t"})
LANGUAGE_CONFIDENCE = 0.5


class InvalidTransition(ConflictError):
    code = "invalid_transition"


def normalise_text(value: str, *, field: str) -> str:
    """Unicode NFC, Windows line ends folded; control characters are refused, not dropped."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if has_control_characters(value, allowed=_ALLOWED_CONTROL):
        raise ApplicationError(
            _("This text contains invisible control characters."),
            field=field,
            code="control_characters",
        )
    return value.strip()


def content_hash(*, rating: int, title: str, text: str) -> str:
    """Recorded in the audit trail at submission, so anyone can check the text never changed."""
    return hashlib.sha256(f"{rating}\n{title}\n{text}".encode()).hexdigest()


def decision_due_by(review: Review) -> datetime:
    return review.submitted_at + settings.REVIEW_DECISION_MAX_DELAY


@transaction.atomic
def submit_review(
    *,
    author: User,
    brand: Brand,
    place: Place | None = None,
    channel: str,
    rating: int,
    title: str,
    text: str,
    experience_date: date,
    attested: bool,
    language: str = "",
    recommend_score: int | None = None,
    incentive_received: bool = False,
    incentive_description: str = "",
    client_ip: str | None = None,
    user_agent: str | None = None,
    submitted_at: datetime | None = None,
    external_id: str | None = None,
    verification: str = Review.Verification.SELF_DECLARED,
    imported: bool = False,
    invitation: Invitation | None = None,
) -> Review:
    """Store a review as `submitted` and hand it to the moderation engine, atomically.

    `imported` is for import_reviews only: the author is an imported account, the dates are the
    original ones, and per-account rate limits do not apply (the provider already collected it).

    `invitation`: the review is written from a brand's invitation (its link). The invitation is
    locked and must be usable (sent, for this brand, not used, declined, cancelled or expired);
    the review is "verified by invitation", dated on the purchase, at the invitation's place
    if it names one, and uses it up (one review per invitation). Nothing else makes a review
    verified by invitation (FR-17), save the provider's verification of an imported review.
    """
    if not imported:
        ensure_can_write_publicly(user=author)
    now = submitted_at or timezone.now()
    if invitation is not None:
        invitation = lock_usable_invitation(invitation_id=invitation.pk, brand=brand, now=now)
        experience_date = invitation.purchase_date
        place = invitation.place or place
        verification = Review.Verification.INVITATION
    elif verification == Review.Verification.INVITATION and not imported:
        raise ApplicationError(
            _("Only a review written from a brand's invitation is verified by invitation."),
            field="verification",
            code="verification_refused",
        )
    elif verification == Review.Verification.DOCUMENT and not imported:
        # A proof accepted by a moderator verifies a review later (NF-COL-5), never its author.
        raise ApplicationError(
            _("Only a proof accepted by a moderator verifies a review by document."),
            field="verification",
            code="verification_refused",
        )
    title = normalise_text(title, field="title")
    text = normalise_text(text, field="text")
    _validate_content(
        rating=rating,
        title=title,
        text=text,
        channel=channel,
        recommend_score=recommend_score,
        attested=attested,
    )
    _validate_experience_date(experience_date, now=now)
    if place is not None and place.brand_id != brand.pk:
        raise ApplicationError(_("This place does not belong to this brand."), field="place")
    incentive_description = incentive_description.strip()
    if incentive_received and not incentive_description:
        raise ApplicationError(
            _("Please say what you received for this review."), field="incentive_description"
        )
    if is_brand_member(user_id=author.pk, brand_id=brand.pk):
        raise PermissionDeniedError(
            _("Members of a brand cannot review it (conflict of interest)."),
            code="conflict_of_interest",
        )
    language = language or _guess_language(f"{title}\n{text}", fallback=author.language)
    net = network_hash(client_ip)
    # Serialise one author's submissions, so two at once cannot both pass the checks below.
    User.objects.select_for_update().filter(pk=author.pk).first()
    _check_one_live_review(author=author, brand=brand, place=place, now=now)
    if not imported:
        _check_rate_limits(author=author, network=net, now=now)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                author=author,
                brand=brand,
                place=place,
                channel=channel,
                rating=rating,
                title=title,
                text=text,
                language=language,
                experience_date=experience_date,
                experience_attested_at=now,
                recommend_score=recommend_score,
                incentive_received=incentive_received,
                incentive_description=incentive_description if incentive_received else "",
                verification=verification,
                network_hash=net,
                device_hash=device_hash(user_agent),
                external_id=external_id,
                submitted_at=now,
                invitation=invitation,
            )
    except IntegrityError:
        if invitation is not None:
            raise ConflictError(
                _("A review was already written from this invitation: one review per invitation."),
                code="invitation_used",
            ) from None
        raise ConflictError(
            _("A review with this external id already exists."), code="duplicate_external_id"
        ) from None
    if invitation is not None:
        mark_invitation_used(invitation=invitation, review_id=review.pk, author=author, now=now)
    record_event(
        actor=author,
        action=AuditEvent.Action.REVIEW_SUBMITTED,
        target=review,
        to_status=review.status,
        details={
            "brand_id": brand.pk,
            "place_id": place.pk if place else None,
            "rating": rating,
            "language": language,
            "content_sha256": content_hash(rating=rating, title=title, text=text),
            "experience_date": experience_date.isoformat(),
            "submitted_at": now.isoformat(),
            "imported": imported,
            **({"invitation_id": invitation.pk} if invitation is not None else {}),
        },
    )
    record_review_received(review)
    submit_for_moderation(
        kind="review",
        object_id=str(review.pk),
        author=author,
        brand=brand,
        place=place,
        rating=rating,
        language=language,
        title=title,
        text=text,
        submitted_at=now,
        network_hash=review.network_hash,
        device_hash=review.device_hash,
        incentive_disclosed=incentive_received,
    )
    return review


def _guess_language(text: str, *, fallback: str) -> str:
    """The detected language when the detector is confident; short texts often are not."""
    detected, confidence = detect_language(text)
    return detected if confidence >= LANGUAGE_CONFIDENCE else fallback


def _validate_content(
    *, rating: int, title: str, text: str, channel: str, recommend_score: int | None, attested: bool
) -> None:
    if not attested:
        raise ApplicationError(
            _("Please confirm that this review reflects your own experience."),
            field="attested",
            code="not_attested",
        )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApplicationError(_("The rating must be between 1 and 5."), field="rating")
    if recommend_score is not None and not 0 <= recommend_score <= 10:
        raise ApplicationError(_("The score must be between 0 and 10."), field="recommend_score")
    if channel not in Review.Channel.values:
        raise ApplicationError(_("Unknown channel."), field="channel")
    if not title:
        raise ApplicationError(_("Please give your review a title."), field="title")
    if len(title) > settings.REVIEW_TITLE_MAX_LENGTH:
        raise ApplicationError(
            _("The title is too long (%(max)d characters at most).")
            % {"max": settings.REVIEW_TITLE_MAX_LENGTH},
            field="title",
        )
    if len(text) < settings.REVIEW_TEXT_MIN_LENGTH:
        raise ApplicationError(
            _("Please describe your experience in %(min)d characters at least.")
            % {"min": settings.REVIEW_TEXT_MIN_LENGTH},
            field="text",
        )
    if len(text) > settings.REVIEW_TEXT_MAX_LENGTH:
        raise ApplicationError(
            _("The review is too long (%(max)d characters at most).")
            % {"max": settings.REVIEW_TEXT_MAX_LENGTH},
            field="text",
        )


def _validate_experience_date(experience_date: date, *, now: datetime) -> None:
    today = timezone.localtime(now).date()
    if experience_date > today:
        raise ApplicationError(
            _("The date of the experience cannot be in the future."),
            field="experience_date",
            code="future",
        )
    if experience_date < today - settings.REVIEW_EXPERIENCE_MAX_AGE:
        raise ApplicationError(
            _("The experience is too old to be reviewed (%(days)d days at most).")
            % {"days": settings.REVIEW_EXPERIENCE_MAX_AGE.days},
            field="experience_date",
            code="too_old",
        )


def _check_one_live_review(
    *, author: User, brand: Brand, place: Place | None, now: datetime
) -> None:
    live = Review.objects.filter(
        author=author,
        brand=brand,
        place=place,
        status__in=LIVE_STATUSES,
        submitted_at__gt=now - settings.REVIEW_ONE_PER_WINDOW,
    )
    if live.exists():
        raise ConflictError(
            _("You already have a review of this brand and place. Withdraw it to write a new one."),
            code="already_reviewed",
        )


def _check_rate_limits(*, author: User, network: str, now: datetime) -> None:
    count, period = settings.REVIEW_RATE_LIMIT_ACCOUNT
    if Review.objects.filter(author=author, submitted_at__gt=now - period).count() >= count:
        raise RateLimitedError(
            _("You have submitted many reviews recently. Please try again later."),
            code="rate_limited_account",
        )
    count, period = settings.REVIEW_RATE_LIMIT_NETWORK
    if (
        network
        and Review.objects.filter(network_hash=network, submitted_at__gt=now - period).count()
        >= count
    ):
        raise RateLimitedError(
            _("Many reviews were submitted from your network recently. Please try again later."),
            code="rate_limited_network",
        )


def _lock(review_id: int) -> Review:
    """The review, locked until commit, with its author's `is_imported` already loaded (the
    author's other fields load on first use).

    In SQL rather than the ORM: every moderated review goes through here, and building this
    query with `select_related` cost the worker three times what the raw query does.
    """
    sql = (
        'SELECT "reviews_review".*, "accounts_user"."is_imported" AS "author_is_imported" '
        'FROM "reviews_review" '
        'INNER JOIN "accounts_user" ON "accounts_user"."id" = "reviews_review"."author_id" '
        'WHERE "reviews_review"."id" = %s'
    )
    if connection.features.has_select_for_update:  # SQLite locks the whole database instead
        sql += ' FOR UPDATE OF "reviews_review"'
    review = next(iter(Review.objects.raw(sql, [review_id])), None)
    if review is None:
        raise NotFoundError(_("This review does not exist."))
    is_imported = review.author_is_imported  # type: ignore[attr-defined]
    review.author = User.from_db(
        connection.alias, ["id", "is_imported"], [review.author_id, is_imported]
    )
    return review


def _transition(
    review: Review,
    *,
    to: str,
    actor: User | None,
    rule_code: str = "",
    details: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> None:
    if to not in ALLOWED_TRANSITIONS[review.status]:
        raise InvalidTransition(
            _("This review can no longer change from “%(from)s” to “%(to)s”.")
            % {"from": review.status, "to": to}
        )
    record_event(
        actor=actor,
        action=AuditEvent.Action.REVIEW_STATUS_CHANGED,
        target=review,
        from_status=review.status,
        to_status=to,
        rule_code=rule_code,
        details=details or {},
    )
    record_rating_change(review, from_status=review.status, to_status=to)
    review.status = to
    review.save(update_fields=["status", "updated_at", *fields])


def apply_moderation_decision(*, review_id: int, decision: Decision) -> Review:
    """Called by the moderation engine (through ReviewHandler), inside its transaction.

    A decision that leaves the status as it is (a label lifted on appeal, a proof accepted for
    a published review, a proof requested) changes the review's badges or nothing, and writes
    its own event; the others go through `_transition`.
    """
    review = _lock(review_id)
    outcome = Decision.Outcome(decision.outcome)
    if review.status == Review.Status.WITHDRAWN:
        return review  # withdrawn while being moderated: the author's choice stands
    details = {
        "decision_id": decision.pk,
        "outcome": outcome,
        "decided_by": "moderator" if decision.decided_by_id else "pipeline",
        "ruleset_version": decision.ruleset_version,
    }
    if outcome == Decision.Outcome.REQUEST_PROOF:
        _notify_author(review, decision)
        return review
    to = {
        Decision.Outcome.PUBLISH: Review.Status.PUBLISHED,
        Decision.Outcome.LABEL: Review.Status.PUBLISHED,
        Decision.Outcome.VERIFY: Review.Status.PUBLISHED,
        Decision.Outcome.REJECT: Review.Status.REJECTED,
        Decision.Outcome.REMOVE: Review.Status.REMOVED,
        Decision.Outcome.SEND_TO_HUMAN: Review.Status.IN_REVIEW,
    }[outcome]
    now = decision.decided_at
    review.decision_id = decision.pk
    review.decided_by_moderator = decision.decided_by_id is not None
    if outcome == Decision.Outcome.VERIFY:
        # A published review keeps its label's rule; one waiting for a moderator (sent by a
        # rule's suspicion) is published with none, as by PUBLISH.
        if review.status != Review.Status.PUBLISHED:
            review.rule_code = ""
    else:
        review.rule_code = "" if outcome == Decision.Outcome.PUBLISH else decision.rule_code
    fields = ["decision_id", "decided_by_moderator", "rule_code"]
    if to != Review.Status.IN_REVIEW:
        review.decided_at = now
        fields.append("decided_at")
    if to == Review.Status.PUBLISHED:
        if review.status != Review.Status.PUBLISHED:
            review.published_at = now
            fields.append("published_at")
        if outcome == Decision.Outcome.VERIFY:
            review.verification = Review.Verification.DOCUMENT
            fields.append("verification")
        else:
            review.labelled_incentivised = outcome == Decision.Outcome.LABEL
            fields.append("labelled_incentivised")
    if to == review.status:
        record_event(
            actor=decision.decided_by,
            action=AuditEvent.Action.REVIEW_BADGES_CHANGED,
            target=review,
            rule_code=decision.rule_code,
            details={
                **details,
                "verification": review.verification,
                "labelled_incentivised": review.labelled_incentivised,
            },
        )
        review.save(update_fields=["updated_at", *fields])
        touch_brand_page(brand_id=review.brand_id)  # its badges changed
    else:
        _transition(
            review,
            to=to,
            actor=decision.decided_by,
            rule_code=decision.rule_code,
            details=details,
            fields=tuple(fields),
        )
        if to in (Review.Status.PUBLISHED, Review.Status.REMOVED):
            from reviews.webhook_events import emit_review_event  # the brand's webhooks

            # The engine loaded the submission's brand: no query for a brand without webhooks.
            emit_review_event(
                review=review, decision_id=decision.pk, brand=decision.submission.brand
            )
    if to != Review.Status.IN_REVIEW:
        _notify_author(review, decision)
    return review


def _notify_author(review: Review, decision: Decision) -> None:
    if review.author.is_imported:
        return
    from reviews.tasks import notify_review_decision_task

    transaction.on_commit(
        partial(notify_review_decision_task.delay, review_id=review.pk, decision_id=decision.pk)
    )


@transaction.atomic
def withdraw_review(*, review_id: int, author: User) -> Review:
    """The author takes their review down (NF-MOD-6); it leaves public pages at once."""
    review = _lock(review_id)
    if review.author_id != author.pk:
        raise PermissionDeniedError(_("Only its author can withdraw a review."))
    review.withdrawn_at = timezone.now()
    _transition(review, to=Review.Status.WITHDRAWN, actor=author, fields=("withdrawn_at",))
    close_withdrawn_content(kind="review", object_id=str(review.pk), actor=author)
    return review


@transaction.atomic
def vote_review_helpful(*, review_id: int, user: User) -> Review:
    """One vote per verified account and review, never on one's own review (EU-5)."""
    ensure_can_write_publicly(user=user)
    review = _lock(review_id)
    if review.status != Review.Status.PUBLISHED:
        raise NotFoundError(_("This review does not exist."))
    if review.author_id == user.pk:
        raise PermissionDeniedError(_("You cannot vote for your own review."), code="own_review")
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(review=review, user=user)
    except IntegrityError:
        raise ConflictError(
            _("You already found this review helpful."), code="already_voted"
        ) from None
    Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    record_event(actor=user, action=AuditEvent.Action.REVIEW_VOTED_HELPFUL, target=review)
    touch_brand_page(brand_id=review.brand_id)  # its helpful count changed
    review.refresh_from_db(fields=["helpful_count"])
    return review


def mark_author_notified(*, review_id: int, decision_id: int) -> None:
    Review.objects.filter(pk=review_id).update(notified_decision_id=decision_id)


@transaction.atomic
def upload_review_proof(*, review_id: int, author: User, document: UploadedFile) -> ProofRequest:
    """The author sends the proof of experience a moderator asked for (NF-COL-5): checked by
    its content and size, stored privately, examined by a moderator (see
    moderation.services.upload_proof). Only for one's own review that is still live."""
    from moderation.services import upload_proof

    # Not locked here: the engine locks the proof request, then the review when it decides.
    review = Review.objects.filter(pk=review_id).first()
    if review is None or review.author_id != author.pk:
        raise NotFoundError(_("This review does not exist."))
    if review.status == Review.Status.WITHDRAWN:
        raise ConflictError(_("This review was withdrawn."), code="review_withdrawn")
    return upload_proof(kind="review", object_id=str(review.pk), author=author, document=document)


# REPORTS AND FLAGS: handed to the moderation engine (DSA art. 16, FR-5)
# ------------------------------------------------------------------------------


def review_url(review: Review) -> str:
    """The exact electronic location of a review (DSA art. 16(2)(b)): its public page."""
    return settings.SITE_URL + reverse("review-history", args=[review.pk])


def ensure_can_report(*, source: str, reporter: User | None) -> None:
    """What any reader may file on published content (a review or a reply): a notice of
    illegal content, or, from a verified account, a report under the code of conduct."""
    if source not in (Report.Source.ILLEGAL_CONTENT, Report.Source.CODE_OF_CONDUCT):
        raise ApplicationError(_("Unknown kind of report."), field="source", code="invalid_source")
    if (
        source == Report.Source.CODE_OF_CONDUCT
        and reporter is not None
        and reporter.email_verified_at is None
    ):
        raise PermissionDeniedError(
            _("Please verify your email address before reporting under the code of conduct."),
            code="email_not_verified",
        )


def _published_review(review_id: int) -> Review:
    """Only published reviews can be reported: a withdrawn, removed or pending one is not
    public, so for a reporter it does not exist."""
    review = Review.objects.filter(pk=review_id, status=Review.Status.PUBLISHED).first()
    if review is None:
        raise NotFoundError(_("This review is not published."))
    return review


def _report_allowances(*, reporter: User | None, client_ip: str | None) -> list[tuple[str, int]]:
    """Refuse a report over the account's or the network's allowance (429); returns the
    counters to spend once the report is filed, with their period in seconds."""
    limits = []
    if reporter is not None:
        count, period = settings.REPORT_RATE_LIMIT_ACCOUNT
        message = _("You have sent many reports recently. Please try again later.")
        limits.append((f"report-rate:account:{reporter.pk}", count, period, message, "account"))
    network = network_hash(client_ip)
    if network:
        count, period = settings.REPORT_RATE_LIMIT_NETWORK
        message = _("Many reports were sent from your network recently. Please try again later.")
        limits.append((f"report-rate:network:{network}", count, period, message, "network"))
    for key, count, _period, message, scope in limits:
        if cache.get(key, 0) >= count:
            raise RateLimitedError(message, code=f"rate_limited_{scope}")
    return [(key, int(period.total_seconds())) for key, _c, period, _m, _s in limits]


def _spend_report_allowances(allowances: list[tuple[str, int]]) -> None:
    for key, timeout in allowances:
        if not cache.add(key, 1, timeout=timeout):
            try:
                cache.incr(key)
            except ValueError:  # expired in between
                cache.add(key, 1, timeout=timeout)


@transaction.atomic
def report_review(
    *,
    review_id: int,
    reporter: User | None,
    source: str,
    explanation: str,
    rule_code: str = "",
    location_url: str | None = None,
    notifier_name: str = "",
    notifier_email: str = "",
    good_faith_confirmed: bool = False,
    client_ip: str | None = None,
) -> Report:
    """Report a published review: a notice of illegal content by anyone, with the DSA art. 16
    fields (DSA-4, DSA-5), or a report under the code of conduct by a verified account.
    `location_url` None means the review's own page; a form's empty field stays empty, and an
    incomplete notice is refused. Rate-limited per account and network; acknowledged by email
    (see moderation.services.file_report)."""
    review = _published_review(review_id)
    ensure_can_report(source=source, reporter=reporter)
    allowances = _report_allowances(reporter=reporter, client_ip=client_ip)
    report = file_report(
        kind="review",
        object_id=str(review.pk),
        source=source,
        reporter=reporter,
        explanation=explanation,
        rule_code=rule_code,
        location_url=review_url(review) if location_url is None else location_url.strip(),
        notifier_name=notifier_name,
        notifier_email=notifier_email,
        good_faith_confirmed=good_faith_confirmed,
        language=translation.get_language() or "",
    )
    _spend_report_allowances(allowances)
    return report


@transaction.atomic
def flag_review(
    *,
    review_id: int,
    user: User,
    flag_reason: str,
    explanation: str,
    client_ip: str | None = None,
) -> Report:
    """A member of the reviewed brand flags a reasoned doubt about the review's authenticity:
    free, with a reason from the list and an explanation (FR-5)."""
    review = _published_review(review_id)
    allowances = _report_allowances(reporter=user, client_ip=client_ip)
    report = file_report(
        kind="review",
        object_id=str(review.pk),
        source=Report.Source.BRAND_FLAG,
        reporter=user,
        explanation=explanation,
        flag_reason=flag_reason,
        location_url=review_url(review),
    )
    _spend_report_allowances(allowances)
    return report
