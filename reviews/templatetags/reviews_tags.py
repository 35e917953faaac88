import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What could end the <script> element or open a comment in it, as JSON escapes (json_script's).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def jsonld(data: Any) -> SafeString:
    """JSON for a <script type="application/ld+json"> element, safe whatever the text says."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped just above


@register.filter
def percent(share: float | None) -> str:
    """A share (0 to 1) as a percentage with one decimal, in the page's locale; "—" for None."""
    return "—" if share is None else f"{number_format(share * 100, 1)} %"
