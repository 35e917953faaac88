"""How the moderation engine's decisions reach reviews (registered in ReviewsConfig.ready)."""

from moderation.models import Decision
from reviews.services import apply_moderation_decision


class ReviewHandler:
    def apply_decision(self, *, object_id: str, decision: Decision) -> None:
        apply_moderation_decision(review_id=int(object_id), decision=decision)
