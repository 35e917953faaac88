"""The published policy on misuse of reporting (DSA art. 23(4)), read from the settings that
moderation.services._check_reporting_misuse applies: what is published is what is applied."""

from typing import Any

from django import template
from django.conf import settings

from moderation.information import describe_duration

register = template.Library()


@register.inclusion_tag("moderation/_reporting_misuse.html")
def reporting_misuse_policy() -> dict[str, Any]:
    return {
        "window": describe_duration(settings.REPORTING_ABUSE_WINDOW),
        "warning_after": settings.REPORTING_WARNING_AFTER,
        "suspension_after": settings.REPORTING_SUSPENSION_AFTER,
        "suspension": describe_duration(settings.REPORTING_SUSPENSION),
        "contact_email": settings.MODERATION_CONTACT_EMAIL,
    }
