"""Every state change of a brand's reply happens here (R2).

A member of the reviewed brand (owner, manager or agent) replies once to a published review,
free of charge (NF-RES-5); a change is a new version of the reply, never an edit. Each version
goes through the moderation engine as content of kind "reply":

    submitted ──pipeline──> published | rejected | in_review
    in_review ──moderator─> published | rejected
    published ──moderator─> removed (after a report)
    rejected | removed ──appeal──> published

The public sees the newest published version. A reply never changes the review it answers:
nothing here writes a review, its status or its rating counters.
"""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import ensure_can_write_publicly
from audit.models import AuditEvent
from audit.services import record_event
from brands.page_cache import touch_brand_page
from brands.selectors import is_brand_member
from config.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from moderation.models import Decision, Report
from moderation.services import file_report, submit_for_moderation
from reviews.models import REPLY_TRANSITIONS, Reply, ReplyVersion, Review
from reviews.reply_media import (
    AttachmentUpload,
    PreparedAttachment,
    attach,
    audit_summary,
    prepare_attachments,
)
from reviews.services import (
    LANGUAGE_CONFIDENCE,
    _report_allowances,
    _spend_report_allowances,
    ensure_can_report,
    normalise_text,
    review_url,
)

KIND = "reply"  # the kind of content the moderation engine knows replies by
PENDING = (ReplyVersion.Status.SUBMITTED, ReplyVersion.Status.IN_REVIEW)


class InvalidReplyTransition(ConflictError):
    code = "invalid_transition"


def reply_decision_due_by(version: ReplyVersion) -> datetime:
    """When the version is published or refused at the latest (NF-RES-5)."""
    return version.decision_due_by


def reply_content_hash(text: str) -> str:
    """Recorded in the audit trail, so anyone can check a version's text never changed."""
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def reply_to_review(
    *,
    review_id: int,
    member: User,
    text: str,
    attachments: Sequence[AttachmentUpload] = (),
) -> ReplyVersion:
    """Reply to a published review of the member's brand, with photos or videos if the brand
    wishes (NF-RES-6); the first version goes to moderation. Once per review: a second reply is
    refused (409), update it instead."""
    review = _published_review(review_id)
    _ensure_member(member, brand_id=review.brand_id)
    text = _clean_text(text)
    media = prepare_attachments(attachments)
    now = timezone.now()
    _check_member_rate_limit(member, now=now)
    try:
        with transaction.atomic():
            reply = Reply.objects.create(
                review=review, brand_id=review.brand_id, author=member, created_at=now
            )
    except IntegrityError:
        raise ConflictError(
            _("The brand already replied to this review: update its reply instead."),
            code="already_replied",
        ) from None
    return _add_version(
        reply, review=review, member=member, text=text, number=1, now=now, media=media
    )


@transaction.atomic
def update_reply(
    *,
    review_id: int,
    member: User,
    text: str,
    attachments: Sequence[AttachmentUpload] = (),
    keep_attachments: bool = True,
) -> ReplyVersion:
    """Change the brand's reply: a new version, moderated like the first, that replaces the
    published text once it is published itself. One version awaits moderation at a time. The
    new version keeps the previous one's photos and videos unless `keep_attachments` is False,
    and adds `attachments`."""
    reply = Reply.objects.select_for_update().filter(pk=review_id).first()
    if reply is None:
        # Either no such review, or no reply yet: the same answer to members and others.
        raise NotFoundError(_("This review has no reply to update."), code="no_reply")
    _ensure_member(member, brand_id=reply.brand_id)
    review = _published_review(review_id)
    text = _clean_text(text)
    latest = ReplyVersion.objects.filter(reply=reply).order_by("-number").first()
    if latest is not None and latest.status in PENDING:
        raise ConflictError(
            _("The previous version of the reply is still being checked. Try again once it is."),
            code="reply_pending",
        )
    carried_from = latest if keep_attachments else None
    previous = len(latest.media) if latest is not None else 0
    kept = previous if keep_attachments else 0
    media = prepare_attachments(attachments, kept=kept)
    if latest is not None and latest.text == text and not media and kept == previous:
        raise ApplicationError(
            _("This is the text of the reply already."), field="text", code="unchanged"
        )
    now = timezone.now()
    _check_member_rate_limit(member, now=now)
    count, period = settings.REPLY_RATE_LIMIT_PER_REPLY
    if ReplyVersion.objects.filter(reply=reply, submitted_at__gt=now - period).count() >= count:
        raise RateLimitedError(
            _("This reply was changed several times recently. Please try again later."),
            code="rate_limited_reply",
        )
    number = (latest.number if latest else 0) + 1
    return _add_version(
        reply,
        review=review,
        member=member,
        text=text,
        number=number,
        now=now,
        media=media,
        carried_from=carried_from,
    )


def _published_review(review_id: int) -> Review:
    review = Review.objects.select_related("brand", "place").filter(pk=review_id).first()
    if review is None or review.status != Review.Status.PUBLISHED:
        raise NotFoundError(_("This review is not published."))
    return review


def _ensure_member(member: User, *, brand_id: int) -> None:
    ensure_can_write_publicly(user=member)
    if not is_brand_member(user_id=member.pk, brand_id=brand_id):
        raise PermissionDeniedError(
            _("Only members of the reviewed brand can reply to its reviews."),
            code="not_brand_member",
        )


def _clean_text(text: str) -> str:
    text = normalise_text(text, field="text")
    if len(text) < settings.REPLY_TEXT_MIN_LENGTH:
        raise ApplicationError(_("Please write your reply."), field="text", code="too_short")
    if len(text) > settings.REPLY_TEXT_MAX_LENGTH:
        raise ApplicationError(
            _("The reply is too long (%(max)d characters at most).")
            % {"max": settings.REPLY_TEXT_MAX_LENGTH},
            field="text",
            code="too_long",
        )
    return text


def _check_member_rate_limit(member: User, *, now: datetime) -> None:
    count, period = settings.REPLY_RATE_LIMIT_MEMBER
    if ReplyVersion.objects.filter(author=member, submitted_at__gt=now - period).count() >= count:
        raise RateLimitedError(
            _("You have sent many replies recently. Please try again later."),
            code="rate_limited_member",
        )


def _guess_language(text: str, *, fallback: str) -> str:
    from moderation.checks.content import detect_language

    detected, confidence = detect_language(text)
    return detected if confidence >= LANGUAGE_CONFIDENCE else fallback


def _add_version(
    reply: Reply,
    *,
    review: Review,
    member: User,
    text: str,
    number: int,
    now: datetime,
    media: Sequence[PreparedAttachment] = (),
    carried_from: ReplyVersion | None = None,
) -> ReplyVersion:
    language = _guess_language(text, fallback=member.language)
    try:
        with transaction.atomic():
            version = ReplyVersion.objects.create(
                reply=reply,
                number=number,
                author=member,
                text=text,
                language=language,
                submitted_at=now,
            )
    except IntegrityError:  # another member's version got in first
        raise ConflictError(
            _("The previous version of the reply is still being checked. Try again once it is."),
            code="reply_pending",
        ) from None
    attached = attach(version, media, carried_from=carried_from)
    reply.latest = version
    reply.save(update_fields=["latest"])
    record_event(
        actor=member,
        action=AuditEvent.Action.REPLY_SUBMITTED,
        target=version,
        to_status=version.status,
        details={
            "review_id": review.pk,
            "brand_id": review.brand_id,
            "version": number,
            "language": language,
            "content_sha256": reply_content_hash(text),
            "attachments": audit_summary(attached),
            "submitted_at": now.isoformat(),
        },
    )
    submit_for_moderation(
        kind=KIND,
        object_id=str(version.pk),
        author=member,
        brand=review.brand,
        place=review.place,
        rating=None,
        language=language,
        title="",
        text=text,
        submitted_at=now,
    )
    return version


# DECISIONS OF THE MODERATION ENGINE (through reviews.moderation_handlers.ReplyHandler)
# ------------------------------------------------------------------------------

_STATUS_OF_OUTCOME = {
    Decision.Outcome.PUBLISH: ReplyVersion.Status.PUBLISHED,
    Decision.Outcome.REJECT: ReplyVersion.Status.REJECTED,
    Decision.Outcome.REMOVE: ReplyVersion.Status.REMOVED,
    Decision.Outcome.SEND_TO_HUMAN: ReplyVersion.Status.IN_REVIEW,
}


def apply_reply_decision(*, version_id: int, decision: Decision) -> ReplyVersion:
    """Apply a decision of the engine to a version, inside the engine's transaction.

    Labels and proofs of experience are for reviews: a moderator who picks one for a reply is
    refused (400), and nothing is recorded. Publishing a version makes it the public text if no
    newer version is published; removing the public text leaves the review without a reply.
    """
    version = (
        ReplyVersion.objects.select_for_update(of=("self",))
        .select_related("reply__review__author", "author")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFoundError(_("This reply does not exist."))
    outcome = Decision.Outcome(decision.outcome)
    to = _STATUS_OF_OUTCOME.get(outcome)
    if to is None:
        raise ApplicationError(
            _("A brand's reply is published, rejected or removed: it has no label or proof."),
            code="invalid_action",
        )
    if to not in REPLY_TRANSITIONS[version.status]:
        raise InvalidReplyTransition(
            _("This reply can no longer change from “%(from)s” to “%(to)s”.")
            % {"from": version.status, "to": to}
        )
    reply = Reply.objects.select_for_update().get(pk=version.reply_id)
    from_status = version.status
    version.status = to
    version.decision_id = decision.pk
    version.decided_by_moderator = decision.decided_by_id is not None
    version.rule_code = "" if to == ReplyVersion.Status.PUBLISHED else decision.rule_code
    fields = ["status", "decision_id", "decided_by_moderator", "rule_code"]
    if to != ReplyVersion.Status.IN_REVIEW:
        version.decided_at = decision.decided_at
        fields.append("decided_at")
    shown_before = reply.published_id
    if to == ReplyVersion.Status.PUBLISHED:
        first_time = version.published_at is None  # not a removal reversed on appeal
        if first_time:
            version.published_at = decision.decided_at
            fields.append("published_at")
        _show(reply, version, first_time=first_time)
    elif to == ReplyVersion.Status.REMOVED and reply.published_id == version.pk:
        reply.published = None
        reply.save(update_fields=["published"])
    version.save(update_fields=fields)
    if reply.published_id != shown_before or to == ReplyVersion.Status.PUBLISHED:
        touch_brand_page(brand_id=reply.brand_id)  # the reply under the review changed
    # Published as an update: another version was public until this one replaced it.
    replaces = shown_before if reply.published_id == version.pk != shown_before else None
    record_event(
        actor=decision.decided_by,
        action=AuditEvent.Action.REPLY_STATUS_CHANGED,
        target=version,
        from_status=from_status,
        to_status=to,
        rule_code=version.rule_code,
        details={
            "decision_id": decision.pk,
            "outcome": outcome,
            "decided_by": "moderator" if decision.decided_by_id else "pipeline",
            "ruleset_version": decision.ruleset_version,
            "review_id": reply.review_id,
            "version": version.number,
            "replaces_version_id": replaces,
        },
    )
    if to == ReplyVersion.Status.PUBLISHED and reply.published_id == version.pk:
        from reviews.webhook_events import emit_reply_event  # the brand's webhooks

        emit_reply_event(version=version, decision_id=decision.pk, brand=decision.submission.brand)
    _notify(version, decision, to)
    return version


def _show(reply: Reply, version: ReplyVersion, *, first_time: bool) -> None:
    """The newest published version is the public text: an old one reinstated on appeal does
    not replace a newer one."""
    fields = []
    if first_time:
        reply.published_versions += 1
        fields.append("published_versions")
    if reply.first_published_at is None:
        reply.first_published_at = version.published_at
        fields.append("first_published_at")
    if reply.published is None or reply.published.number < version.number:
        reply.published = version
        fields.append("published")
    if fields:
        reply.save(update_fields=fields)


def _notify(version: ReplyVersion, decision: Decision, to: str) -> None:
    from reviews.tasks import notify_reply_decision_task, notify_reply_published_task

    if to == ReplyVersion.Status.PUBLISHED and not version.reply.review.author.is_imported:
        transaction.on_commit(partial(notify_reply_published_task.delay, version_id=version.pk))
    if to in (ReplyVersion.Status.REJECTED, ReplyVersion.Status.REMOVED):
        transaction.on_commit(
            partial(
                notify_reply_decision_task.delay, version_id=version.pk, decision_id=decision.pk
            )
        )


def mark_reviewer_notified(*, version_id: int) -> None:
    """The review's author was emailed that this version is published."""
    ReplyVersion.objects.filter(pk=version_id, reviewer_notified_at__isnull=True).update(
        reviewer_notified_at=timezone.now()
    )


def mark_reply_author_notified(*, version_id: int, decision_id: int) -> None:
    """The member who wrote the version was emailed this restriction, with its rule."""
    ReplyVersion.objects.filter(pk=version_id).update(notified_decision_id=decision_id)


# REPORTS ON REPLIES (DSA art. 16): handed to the moderation engine like reports on reviews
# ------------------------------------------------------------------------------


@transaction.atomic
def report_reply(
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
    """Report the reply shown under a review (its published version): a notice of illegal
    content by anyone, or a report under the code of conduct by a verified account. The same
    allowances and checks as reports on reviews (reviews.services.report_review)."""
    reply = Reply.objects.select_related("review").filter(pk=review_id).first()
    if (
        reply is None
        or reply.published_id is None
        or reply.review.status != Review.Status.PUBLISHED
    ):
        raise NotFoundError(_("This reply is not published."))
    ensure_can_report(source=source, reporter=reporter)
    allowances = _report_allowances(reporter=reporter, client_ip=client_ip)
    page = review_url(reply.review) + f"#reply-{reply.review_id}"
    report = file_report(
        kind=KIND,
        object_id=str(reply.published_id),
        source=source,
        reporter=reporter,
        explanation=explanation,
        rule_code=rule_code,
        location_url=page if location_url is None else location_url.strip(),
        notifier_name=notifier_name,
        notifier_email=notifier_email,
        good_faith_confirmed=good_faith_confirmed,
    )
    _spend_report_allowances(allowances)
    return report
