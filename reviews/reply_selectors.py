"""Reads of brand replies: a brand's reviews as its members answer them."""

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from audit.models import AuditEvent
from reviews.models import ReplyVersion, Review


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
