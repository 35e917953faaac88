"""The events a brand's webhooks receive about its reviews and replies (issue 6): what the
public page shows of them, never a reviewer's email, address, network or account. Emitted by
reviews.services and reviews.reply_services in the transaction of the change; delivered by
brands.webhooks."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.urls import reverse

from brands.models import Brand
from brands.webhooks import Event, emit_brand_event
from reviews.models import Review
from reviews.services import review_url


def review_payload(review: Any) -> dict[str, Any]:
    """What the public page shows of a review; nothing about its author."""
    return {
        "review": {
            "id": review.pk,
            "brand": review.brand.slug,
            "place": review.place.slug if review.place_id else None,
            "rating": review.rating,
            "title": review.title,
            "text": review.text,
            "language": review.language,
            "channel": review.channel,
            "verification": review.verification,
            "published_at": review.published_at,
            "url": review_url(review),
        }
    }


def emit_review_event(*, review: Any, decision_id: int, brand: Brand | None = None) -> None:
    """After a review's status changed to published or removed (reviews.services)."""
    payload: Callable[[], dict[str, Any]]
    if review.status == Review.Status.PUBLISHED:
        event, payload = Event.REVIEW_PUBLISHED, partial(review_payload, review)
    elif review.status == Review.Status.REMOVED:
        # A removed review's text is not public any more: the brand gets its id and rule.
        event = Event.REVIEW_REMOVED

        def payload() -> dict[str, Any]:
            return {
                "review": {
                    "id": review.pk,
                    "brand": review.brand.slug,
                    "rule_code": review.rule_code,
                    "removed_at": review.decided_at,
                    "url": review_url(review),
                }
            }

    else:
        return
    emit_brand_event(
        brand_id=review.brand_id,
        event=event,
        object_key=f"review:{review.pk}:{decision_id}",
        payload=payload,
        brand=brand,
    )


def emit_reply_event(*, version: Any, decision_id: int, brand: Brand | None = None) -> None:
    """After a version of a brand's reply became its public text (reviews.reply_services)."""

    def payload() -> dict[str, Any]:
        review = version.reply.review
        return {
            "reply": {
                "review_id": review.pk,
                "brand": review.brand.slug,
                "version": version.number,
                "text": version.text,
                "language": version.language,
                "published_at": version.published_at,
                "url": review_url(review),
                "attachments": [
                    {
                        **item,
                        "url": settings.SITE_URL
                        + reverse("reviews:reply-attachment", args=[item["id"]]),
                    }
                    for item in version.media
                ],
            }
        }

    emit_brand_event(
        brand_id=version.reply.brand_id,
        event=Event.REPLY_PUBLISHED,
        object_key=f"reply:{version.pk}:{decision_id}",
        payload=payload,
        brand=brand,
    )
