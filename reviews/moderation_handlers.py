"""How the moderation engine's decisions reach reviews and replies (registered in
ReviewsConfig.ready)."""

from django.utils.translation import gettext as _

from moderation.models import Decision
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


class ReplyHandler:
    """Content of kind "reply": its object id is the id of one version of a reply."""

    def apply_decision(self, *, object_id: str, decision: Decision) -> None:
        apply_reply_decision(version_id=int(object_id), decision=decision)
