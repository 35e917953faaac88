"""What the public information pages state, read from the settings, the rule registry and the
conformance report: the pages are generated, never hand-copied (FR-1, FR-9..16, NF-RES-3).
"""

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from moderation.rules import Action, Rule, rules_for_kind

CONFORMANCE_JSON = Path(settings.BASE_DIR) / "docs" / "conformance.json"


def describe_duration(value: timedelta) -> str:
    """A delay as people say it: "7 days", "3 years", "48 hours", "30 minutes"."""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    if rest == 0 and days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if rest == 0 and days:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@dataclass(frozen=True)
class PublicRule:
    code: str
    title: str
    explanation: str
    automatic: bool
    action: str


def _public(rule: Rule, language: str) -> PublicRule:
    return PublicRule(
        code=rule.code,
        title=rule.title(language),
        explanation=rule.explanation(language),
        automatic=rule.automatic,
        action=rule.action,
    )


def how_reviews_work_facts(*, language: str) -> dict[str, Any]:
    """Everything the "how reviews work" page states that the platform could change."""
    rules = rules_for_kind("review")  # the rules for brands' replies are not about reviews
    return {
        "decision_max_delay": describe_duration(settings.REVIEW_DECISION_MAX_DELAY),
        "retention": describe_duration(settings.REVIEW_RETENTION),
        "experience_max_age": describe_duration(settings.REVIEW_EXPERIENCE_MAX_AGE),
        "one_per_window": describe_duration(settings.REVIEW_ONE_PER_WINDOW),
        "rating_window": describe_duration(settings.RATING_WINDOW),
        "counterpart": settings.REVIEW_COUNTERPART,
        "text_min_length": settings.REVIEW_TEXT_MIN_LENGTH,
        "text_max_length": settings.REVIEW_TEXT_MAX_LENGTH,
        "refusal_reasons": [_public(r, language) for r in rules if r.action != Action.LABEL],
        "label_reasons": [_public(r, language) for r in rules if r.action == Action.LABEL],
        "automatic_rules": [_public(r, language) for r in rules if r.automatic],
    }


def rating_window_months() -> int:
    """Full calendar months counted before the current one: RATING_WINDOW rounded to months.

    The same rule as `reviews.ratings.window_months` (this layer cannot import it; a test
    proves they agree)."""
    return max(1, round(settings.RATING_WINDOW.days * 12 / 365))


def rating_method_facts() -> dict[str, Any]:
    months = rating_window_months()
    return {
        "rating_window": describe_duration(settings.RATING_WINDOW),
        "window_months": months,
        "longest_months": months + 1,
        "time_zone": settings.TIME_ZONE,
        "page_cache_seconds": settings.PUBLIC_PAGE_CACHE_SECONDS,
    }


_MARKDOWN = re.compile(r"\*\*|`")


def load_conformance(path: Path = CONFORMANCE_JSON) -> dict[str, Any] | None:
    """The committed machine-readable conformance report, or None when it cannot be read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sections: dict[str, list[dict[str, Any]]] = {}
    for row in document.get("requirements", []):
        plain = {key: _MARKDOWN.sub("", value) for key, value in row.items() if key != "tests"}
        sections.setdefault(plain["section"] or _("Other"), []).append(
            {**plain, "tests": row.get("tests", [])}
        )
    return {**document, "sections": sections}


# ISO 20488 §4.1: the seven guiding principles, each with the requirements that make it real.
PRINCIPLES: tuple[tuple[Promise, Promise, tuple[str, ...]], ...] = (
    (
        gettext_lazy("Integrity"),
        gettext_lazy("Reviews are never edited, and every review meets the same rules."),
        ("NF-MOD-5", "FR-18", "NF-MOD-3", "EU-4"),
    ),
    (
        gettext_lazy("Accuracy"),
        gettext_lazy("Ratings follow a published formula and can be recomputed."),
        ("NF-RES-3", "FR-7", "NF-RES-8"),
    ),
    (
        gettext_lazy("Privacy"),
        gettext_lazy("Authors appear under a pseudonym; their personal data is never published."),
        ("ISO-PRIV-1", "NF-COL-2", "FR-11"),
    ),
    (
        gettext_lazy("Security"),
        gettext_lazy("Verified accounts and automated checks against fake reviews."),
        ("NF-COL-3", "ISO-COL-6", "NF-MOD-8"),
    ),
    (
        gettext_lazy("Transparency"),
        gettext_lazy("Published rules, public histories and a live transparency report."),
        ("FR-1", "FR-15", "ISO-GEN-3", "DSA-28"),
    ),
    (
        gettext_lazy("Accessibility"),
        gettext_lazy("Information pages anyone can reach from every page, in French and English."),
        ("FR-9", "DSA-2"),
    ),
    (
        gettext_lazy("Responsiveness"),
        gettext_lazy("A stated maximum delay for every decision, and monitored."),
        ("NF-RES-4", "FR-10", "NF-RES-5"),
    ),
)
