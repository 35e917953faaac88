"""The authenticity model's public card on the transparency page (moderation.transparency)."""

from typing import Any

from django import template

from moderation.transparency import authenticity_model_card

register = template.Library()


@register.inclusion_tag("moderation/_authenticity_model_card.html")
def authenticity_model_card_block() -> dict[str, Any]:
    card = authenticity_model_card()
    return {"card": card, "test": card.metrics.get("test", {}) if card else {}}
