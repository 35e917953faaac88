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
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import ensure_can_write_publicly
from audit.models import AuditEvent
from audit.services import record_event
from brands.models import Brand, Place
from brands.selectors import is_brand_member
from config.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from moderation.checks.content import detect_language
from moderation.models import Decision
from moderation.services import submit_for_moderation
from reviews.fingerprints import device_hash, network_hash
from reviews.models import ALLOWED_TRANSITIONS, LIVE_STATUSES, HelpfulVote, Review
from reviews.ratings import record_rating_change, record_review_received

_ALLOWED_CONTROL = {"\n", "\t"}
LANGUAGE_CONFIDENCE = 0.5


class InvalidTransition(ConflictError):
    code = "invalid_transition"


def normalise_text(value: str, *, field: str) -> str:
    """Unicode NFC, Windows line ends folded; control characters are refused, not dropped."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if any(
        unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in _ALLOWED_CONTROL
        for ch in value
    ):
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
) -> Review:
    """Store a review as `submitted` and hand it to the moderation engine, atomically.

    `imported` is for import_reviews only: the author is an imported account, the dates are the
    original ones, and per-account rate limits do not apply (the provider already collected it).
    """
    if not imported:
        ensure_can_write_publicly(user=author)
    now = submitted_at or timezone.now()
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
            )
    except IntegrityError:
        raise ConflictError(
            _("A review with this external id already exists."), code="duplicate_external_id"
        ) from None
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
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotFoundError(_("This review does not exist."))
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
    """Called by the moderation engine (through ReviewHandler), inside its transaction."""
    review = _lock(review_id)
    outcome = Decision.Outcome(decision.outcome)
    to = {
        Decision.Outcome.PUBLISH: Review.Status.PUBLISHED,
        Decision.Outcome.LABEL: Review.Status.PUBLISHED,
        Decision.Outcome.REJECT: Review.Status.REJECTED,
        Decision.Outcome.SEND_TO_HUMAN: Review.Status.IN_REVIEW,
    }[outcome]
    if review.status == Review.Status.WITHDRAWN:
        return review  # withdrawn while being moderated: the author's choice stands
    now = decision.decided_at
    review.decision_id = decision.pk
    review.decided_by_moderator = decision.decided_by_id is not None
    review.rule_code = "" if outcome == Decision.Outcome.PUBLISH else decision.rule_code
    fields = ["decision_id", "decided_by_moderator", "rule_code"]
    if to != Review.Status.IN_REVIEW:
        review.decided_at = now
        fields.append("decided_at")
    if to == Review.Status.PUBLISHED:
        review.published_at = now
        review.labelled_incentivised = outcome == Decision.Outcome.LABEL
        fields += ["published_at", "labelled_incentivised"]
    _transition(
        review,
        to=to,
        actor=decision.decided_by,
        rule_code=decision.rule_code,
        details={
            "decision_id": decision.pk,
            "outcome": outcome,
            "decided_by": "moderator" if decision.decided_by_id else "pipeline",
            "ruleset_version": decision.ruleset_version,
        },
        fields=tuple(fields),
    )
    if to != Review.Status.IN_REVIEW and not review.author.is_imported:
        from reviews.tasks import notify_review_decision_task

        transaction.on_commit(
            partial(notify_review_decision_task.delay, review_id=review.pk, decision_id=decision.pk)
        )
    return review


@transaction.atomic
def withdraw_review(*, review_id: int, author: User) -> Review:
    """The author takes their review down (NF-MOD-6); it leaves public pages at once."""
    review = _lock(review_id)
    if review.author_id != author.pk:
        raise PermissionDeniedError(_("Only its author can withdraw a review."))
    review.withdrawn_at = timezone.now()
    _transition(review, to=Review.Status.WITHDRAWN, actor=author, fields=("withdrawn_at",))
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
    review.refresh_from_db(fields=["helpful_count"])
    return review


def mark_author_notified(*, review_id: int, decision_id: int) -> None:
    Review.objects.filter(pk=review_id).update(notified_decision_id=decision_id)
