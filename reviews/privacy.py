"""Personal data held by reviews: a member's reviews, helpful votes and brand replies
(registered with accounts.privacy in ReviewsConfig.ready())."""

from datetime import datetime
from typing import Any

from django.conf import settings

from accounts.models import User
from brands.page_cache import touch_brand_page
from brands.privacy import erase_invitations
from moderation.models import Decision
from reviews.models import LIVE_STATUSES, HelpfulVote, ReplyVersion, Review
from reviews.services import withdraw_review


def export_reviews(*, user: User) -> dict[str, Any]:
    reviews = list(
        Review.objects.filter(author=user).select_related("brand", "place").order_by("id")
    )
    decisions: dict[str, list[dict[str, Any]]] = {}
    for decision in (
        Decision.objects.filter(
            submission__kind="review", submission__object_id__in=[str(r.pk) for r in reviews]
        )
        .select_related("submission")
        .order_by("id")
    ):
        decisions.setdefault(decision.submission.object_id, []).append(
            {
                "outcome": decision.outcome,
                "rule": decision.rule_code,
                # Who decided, as a role: a moderator's pseudonym is theirs, not the author's.
                "decided_by": "moderator" if decision.decided_by_id else "automated checks",
                "decided_at": decision.decided_at,
                "ruleset_version": decision.ruleset_version,
            }
        )
    return {
        "reviews": [
            {
                "id": review.pk,
                "brand": review.brand.name,
                "place": review.place.name if review.place else None,
                "channel": review.channel,
                "rating": review.rating,
                "title": review.title,
                "text": review.text,
                "language": review.language,
                "experience_date": review.experience_date,
                "recommend_score": review.recommend_score,
                "incentive_received": review.incentive_received,
                "incentive_description": review.incentive_description,
                "verification": review.verification,
                "invitation_id": review.invitation_id,
                "status": review.status,
                "rule": review.rule_code,
                "submitted_at": review.submitted_at,
                "published_at": review.published_at,
                "decided_at": review.decided_at,
                "withdrawn_at": review.withdrawn_at,
                "decisions": decisions.get(str(review.pk), []),
            }
            for review in reviews
        ],
        "helpful_votes": [
            {"review_id": vote.review_id, "at": vote.created_at}
            for vote in HelpfulVote.objects.filter(user=user).order_by("id")
        ],
        # Replies the member wrote for a brand (each version).
        "replies": [
            {
                "review_id": version.reply_id,
                "brand": version.reply.brand.name,
                "version": version.number,
                "text": version.text,
                "language": version.language,
                "status": version.status,
                "submitted_at": version.submitted_at,
                "published_at": version.published_at,
            }
            for version in ReplyVersion.objects.filter(author=user)
            .select_related("reply__brand")
            .order_by("id")
        ],
    }


def erase_reviews(*, user: User, email: str, keep_reviews: bool) -> dict[str, int]:
    """Withdraw the live reviews unless the member keeps them; forget the network and device
    hashes of all. Rejected and removed reviews stay, not public, for REVIEW_RETENTION
    (ISO-MOD-3), and their author shows as "Former member"."""
    withdrawn = 0
    if not keep_reviews:
        live = Review.objects.filter(author=user, status__in=LIVE_STATUSES).order_by("id")
        for review_id in live.values_list("pk", flat=True):
            withdraw_review(review_id=review_id, author=user)
            withdrawn += 1
    hashes = (
        Review.objects.filter(author=user)
        .exclude(network_hash="", device_hash="")
        .update(network_hash="", device_hash="")
    )
    # Their pseudonym leaves every page at once, not when the pages' cache expires.
    for brand_id in (
        Review.objects.filter(author=user).values_list("brand_id", flat=True).distinct()
    ):
        touch_brand_page(brand_id=brand_id)
    invited = Review.objects.filter(author=user, invitation__isnull=False)
    invitations = erase_invitations(
        invitation_ids=list(invited.values_list("invitation_id", flat=True))
    )
    return {
        "reviews_withdrawn": withdrawn,
        "review_hashes_erased": hashes,
        "review_invitations_erased": invitations,
    }


def purge_reviews(*, now: datetime) -> dict[str, int]:
    """Network and device hashes older than NETWORK_HASH_RETENTION (from submission)."""
    cutoff = now - settings.NETWORK_HASH_RETENTION
    hashes = (
        Review.objects.filter(submitted_at__lt=cutoff)
        .exclude(network_hash="", device_hash="")
        .update(network_hash="", device_hash="")
    )
    return {"review_hashes": hashes}
