"""Reads of brand replies: a brand's reviews as its members answer them."""

from datetime import datetime

from django.db.models import CharField, F, QuerySet
from django.db.models.functions import Cast

from audit.models import AuditEvent
from reviews.models import ReplyVersion, Review
from reviews.selectors import decided_for_email_catch_up


def list_reviews_to_answer(*, brand_id: int) -> QuerySet[Review]:
    """A brand's published reviews, newest first, each with its reply's newest version and
    its public one, in one query whatever the page size (for the brand's members)."""
    return (
        Review.objects.filter(brand_id=brand_id, status=Review.Status.PUBLISHED)
        .select_related("author", "place", "reply__latest", "reply__published")
        .order_by("-published_at", "-id")
    )


def list_public_reply_events(*, review_id: int) -> QuerySet[AuditEvent]:
    """The audit events of a review's reply that its public history shows: each version
    published (the brand replied, or updated its reply) or removed. One query; the versions
    refused before publication were never public and are left out."""
    version_ids = (
        ReplyVersion.objects.filter(reply_id=review_id)
        .annotate(pk_text=Cast("pk", output_field=CharField()))
        .values("pk_text")
    )
    return AuditEvent.objects.filter(
        object_type=ReplyVersion._meta.label_lower,
        object_id__in=version_ids,
        action=AuditEvent.Action.REPLY_STATUS_CHANGED,
        to_status__in=(ReplyVersion.Status.PUBLISHED, ReplyVersion.Status.REMOVED),
    ).order_by("id")


# EMAILS LOST WITH THE BROKER (reviews.tasks.send_missed_decision_emails_task)
# ------------------------------------------------------------------------------
# As `reviews.selectors.decisions_not_emailed`, and over the same period.


def published_versions_not_emailed(*, now: datetime | None = None) -> list[int]:
    """Versions of replies published whose review's author was not told (the review still
    published, its author emailed: not an imported one)."""
    return list(
        ReplyVersion.objects.filter(
            **decided_for_email_catch_up(now),
            status=ReplyVersion.Status.PUBLISHED,
            reviewer_notified_at__isnull=True,
            reply__review__status=Review.Status.PUBLISHED,
            reply__review__author__is_imported=False,
        )
        .order_by("decided_at")
        .values_list("pk", flat=True)
    )


def restricted_versions_not_emailed(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """(version id, decision id) of versions refused or removed whose member was not told."""
    rows = (
        ReplyVersion.objects.filter(
            **decided_for_email_catch_up(now),
            status__in=(ReplyVersion.Status.REJECTED, ReplyVersion.Status.REMOVED),
        )
        .exclude(notified_decision_id__gte=F("decision_id"))
        .order_by("decided_at")
        .values_list("pk", "decision_id")
    )
    return [(pk, decision_id) for pk, decision_id in rows if decision_id is not None]
