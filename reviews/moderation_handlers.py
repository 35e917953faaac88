"""How the moderation engine's decisions reach reviews and replies (registered in
ReviewsConfig.ready)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from moderation.models import Decision
from moderation.registry import Media
from reviews.models import ReplyVersion, Review
from reviews.reply_services import apply_reply_decision
from reviews.selectors import get_invitation_share
from reviews.services import apply_moderation_decision


class ReviewHandler:
    def apply_decision(self, *, object_id: str, decision: Decision) -> None:
        apply_moderation_decision(review_id=int(object_id), decision=decision)

    def brand_context(self, *, brand_id: int) -> list[str]:
        """Invited vs spontaneous reviews: a large gap in favour of invited ones is what
        inviting only happy customers looks like (FTC-2)."""
        share = get_invitation_share(brand_id=brand_id)
        if not share.invited:
            return []
        line = _(
            "Invited reviews: %(invited)d (%(share)s %%), mean %(invited_mean)s★; spontaneous: "
            "%(spontaneous)d, mean %(spontaneous_mean)s★."
        ) % {
            "invited": share.invited,
            "share": share.invited_share,
            "invited_mean": share.invited_mean,
            "spontaneous": share.spontaneous,
            "spontaneous_mean": share.spontaneous_mean if share.spontaneous else "—",
        }
        if share.gap_alert:
            line += " " + _(
                "Invited reviews are %(gap)s★ better: a sign that only happy customers are invited."
            ) % {"gap": share.gap}
        return [line]

    def object_ids_for_external(self, *, external_ids: list[str]) -> dict[str, str]:
        """Imported reviews by their provider's id (labelled files for the authenticity
        model name them so)."""
        return {
            str(external_id): str(pk)
            for external_id, pk in Review.objects.filter(external_id__in=external_ids)
            .values_list("external_id", "pk")
            .iterator(chunk_size=2000)
        }


class ReplyHandler:
    """Content of kind "reply": its object id is the id of one version of a reply."""

    def apply_decision(self, *, object_id: str, decision: Decision) -> None:
        apply_reply_decision(version_id=int(object_id), decision=decision)

    def media(self, *, object_id: str) -> list[Media]:
        media = ReplyVersion.objects.filter(pk=object_id).values_list("media", flat=True).first()
        return [
            Media(
                url=reverse("reviews:reply-attachment", args=[item["id"]]),
                content_type=item["content_type"],
                description=item["description"],
            )
            for item in media or []
        ]
