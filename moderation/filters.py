"""Query-string filters of the moderators' queue, on the web page and the API (R7).

The filter set validates the query string and hands `queue_filters` to the selector
(`moderation.selectors.list_queue`) and to `claim_next_work_item`, so the list, the counts and
"claim the next item" always apply the same filters.
"""

from datetime import timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from moderation.models import WorkItem
from moderation.rules import RULES

QUEUE_AGES: dict[str, tuple[Any, timedelta]] = {
    "1h": (_("waiting for more than 1 hour"), timedelta(hours=1)),
    "1d": (_("waiting for more than 1 day"), timedelta(days=1)),
    "3d": (_("waiting for more than 3 days"), timedelta(days=3)),
    "7d": (_("waiting for more than 7 days"), timedelta(days=7)),
}


def language_name(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


class QueueFilter(django_filters.FilterSet):
    """Kind, language, brand, rule and age of the items. `languages` are those the moderator
    masters (the only ones their queue holds); `brands`, when given, the (id, name) pairs the
    brand filter offers as a list, otherwise it takes any brand id."""

    kind = django_filters.ChoiceFilter(choices=WorkItem.Kind.choices, label=_("Kind"))
    language = django_filters.ChoiceFilter(label=_("Language"))
    brand = django_filters.NumberFilter(field_name="brand_id", label=_("Brand"), min_value=1)
    rule = django_filters.ChoiceFilter(field_name="rule_code", label=_("Rule"))
    age = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _delta) in QUEUE_AGES.items()],
        method="filter_age",
        label=_("Age"),
    )

    class Meta:
        model = WorkItem
        fields: list[str] = []

    def __init__(
        self,
        data: Any = None,
        *args: Any,
        languages: list[str] | tuple[str, ...] = (),
        brands: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, *args, **kwargs)
        self.filters["language"].extra["choices"] = [
            (code, language_name(code)) for code in languages
        ]
        current = translation.get_language() or "fr"
        self.filters["rule"].extra["choices"] = [
            (code, rule.title(current)) for code, rule in RULES.items()
        ]
        if brands is not None:
            self.filters["brand"] = django_filters.ChoiceFilter(
                field_name="brand_id",
                label=_("Brand"),
                choices=[(str(pk), name) for pk, name in brands],
            )

    def filter_age(self, queryset: QuerySet[WorkItem], name: str, value: str) -> QuerySet[WorkItem]:
        from django.utils import timezone

        return queryset.filter(created_at__lte=timezone.now() - QUEUE_AGES[value][1])

    @property
    def queue_filters(self) -> dict[str, Any]:
        """The valid filters as `list_queue` / `claim_next_work_item` keyword arguments."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.form.cleaned_data
        filters: dict[str, Any] = {
            "kind": data.get("kind") or None,
            "language": data.get("language") or None,
            "brand_id": int(data["brand"]) if data.get("brand") else None,
            "rule_code": data.get("rule") or None,
            "older_than": QUEUE_AGES[data["age"]][1] if data.get("age") else None,
        }
        return {key: value for key, value in filters.items() if value is not None}

    @property
    def query_string(self) -> str:
        """The valid filters as a query string, to carry them from page to page."""
        from django.utils.http import urlencode

        if not self.is_bound or not self.is_valid():
            return ""
        return urlencode(
            {
                name: value
                for name, value in self.form.cleaned_data.items()
                if value not in ("", None)
            }
        )
