from datetime import timedelta
from decimal import Decimal
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from brands.models import Brand, Place
from reviews.models import Review


class PublishedReviewFilter(django_filters.FilterSet):
    brand = django_filters.CharFilter(field_name="brand__slug")
    rating = django_filters.NumberFilter(field_name="rating")
    language = django_filters.CharFilter(field_name="language")
    channel = django_filters.ChoiceFilter(choices=Review.Channel.choices)

    class Meta:
        model = Review
        fields = ["brand", "rating", "language", "channel"]


# The orders a visitor may choose (FR-8); the first is the default (NF-RES-1). The last key of
# each ordering is unique, so pages never overlap.
REVIEW_SORTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "recent": (_("most recent"), ("-published_at", "-id")),
    "oldest": (_("oldest"), ("published_at", "id")),
    "highest": (_("highest rating"), ("-rating", "-published_at", "-id")),
    "lowest": (_("lowest rating"), ("rating", "-published_at", "-id")),
    "helpful": (_("most helpful"), ("-helpful_count", "-published_at", "-id")),
}
DEFAULT_SORT = "recent"
PERIODS = {
    "30": (_("last 30 days"), timedelta(days=30)),
    "90": (_("last 3 months"), timedelta(days=90)),
    "365": (_("last 12 months"), timedelta(days=365)),
}
VERIFIED_CHOICES = (
    ("yes", _("verified reviews only")),
    ("no", _("unverified reviews only")),
)
VERIFIED = (Review.Verification.INVITATION, Review.Verification.DOCUMENT)
REPLY_CHOICES = (
    ("yes", _("with a reply from the brand")),
    ("no", _("without a reply from the brand")),
)


def rating_choices() -> list[tuple[str, str]]:
    """Called by the form field each time: labels with a number, in the request's language."""
    return [(str(n), ngettext("%(n)d star", "%(n)d stars", n) % {"n": n}) for n in (5, 4, 3, 2, 1)]


class BrandReviewFilter(django_filters.FilterSet):
    """Filters and orders of a brand's (or a place's) published reviews, on the web and the API.

    `places` are the brand's places a visitor may pick; without them, there is no place filter.
    """

    rating = django_filters.ChoiceFilter(
        label=_("Rating"), choices=rating_choices, empty_label=_("all ratings")
    )
    verified = django_filters.ChoiceFilter(
        label=_("Verification"),
        choices=VERIFIED_CHOICES,
        method="filter_verified",
        empty_label=_("all reviews"),
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Review.Channel.choices, empty_label=_("all channels")
    )
    place = django_filters.ChoiceFilter(
        label=_("Place"), field_name="place__slug", choices=[], empty_label=_("all places")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=settings.LANGUAGES, empty_label=_("all languages")
    )
    reply = django_filters.ChoiceFilter(
        label=_("Brand's reply"),
        choices=REPLY_CHOICES,
        method="filter_reply",
        empty_label=_("with or without"),
    )
    period = django_filters.ChoiceFilter(
        label=_("Published"),
        choices=[(key, label) for key, (label, _delta) in PERIODS.items()],
        method="filter_period",
        empty_label=_("any time"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _order) in REVIEW_SORTS.items()],
        method="sort_reviews",
        empty_label=None,
        initial=DEFAULT_SORT,
    )

    class Meta:
        model = Review
        fields: list[str] = []

    def __init__(self, *args: Any, places: list[Place] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.place_choices = [(p.slug, str(p)) for p in places or []]
        if not places:
            del self.filters["place"]

    @property
    def form(self) -> Any:
        """The form, with this brand's places to choose from (the filters' fields are shared
        between instances, so the choices are set on this instance's form only)."""
        form = super().form
        if "place" in form.fields:
            form.fields["place"].choices = self.place_choices
        return form

    def filter_verified(self, queryset: QuerySet[Review], name: str, value: str) -> QuerySet:
        if value == "yes":
            return queryset.filter(verification__in=VERIFIED)
        return queryset.exclude(verification__in=VERIFIED)

    def filter_reply(self, queryset: QuerySet[Review], name: str, value: str) -> QuerySet:
        """A reply the public sees: one of its versions is published."""
        if value == "yes":
            return queryset.filter(reply__published__isnull=False)
        return queryset.exclude(reply__published__isnull=False)

    def filter_period(self, queryset: QuerySet[Review], name: str, value: str) -> QuerySet:
        return queryset.filter(published_at__gte=timezone.now() - PERIODS[value][1])

    def sort_reviews(self, queryset: QuerySet[Review], name: str, value: str) -> QuerySet:
        return queryset.order_by(*REVIEW_SORTS[value][1])


MIN_RATINGS = ("4.5", "4", "3", "2", "1")


def min_rating_choices() -> list[tuple[str, str]]:
    return [
        (value, gettext("%(rating)s/5 and more") % {"rating": number_format(Decimal(value))})
        for value in MIN_RATINGS
    ]


class BrandSearchFilter(django_filters.FilterSet):
    """The brand search page: by name, by city of one of its places, by minimum rating.

    The queryset must carry `rating_count` and `rating_total` (reviews.selectors).
    """

    q = django_filters.CharFilter(
        label=_("Name"), field_name="name", lookup_expr="icontains", max_length=120
    )
    city = django_filters.CharFilter(label=_("City"), method="filter_city", max_length=120)
    min_rating = django_filters.ChoiceFilter(
        label=_("Minimum rating"),
        choices=min_rating_choices,
        method="filter_min_rating",
        empty_label=_("any rating"),
    )

    class Meta:
        model = Brand
        fields: list[str] = []

    def filter_city(self, queryset: QuerySet[Brand], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Exists(Place.objects.filter(brand=OuterRef("pk"), city__iexact=value))
        )

    def filter_min_rating(self, queryset: QuerySet[Brand], name: str, value: str) -> QuerySet:
        # The displayed mean (one decimal, half up) is at least `value` exactly when the mean is
        # at least value - 0.05: compared in whole numbers, 100 * total >= (100 * value - 5) * n.
        threshold = round(float(value) * 100) - 5
        return (
            queryset.filter(Q(rating_count__gt=0))
            .alias(margin=F("rating_total") * 100 - F("rating_count") * threshold)
            .filter(margin__gte=0)
        )


REPLIED_CHOICES = (
    ("no", _("not replied yet")),
    ("yes", _("replied")),
)


class BrandRepliesFilter(django_filters.FilterSet):
    """The brand's members' list of its reviews: replied or not yet (whatever became of the
    reply in moderation)."""

    replied = django_filters.ChoiceFilter(
        label=_("Reply"),
        choices=REPLIED_CHOICES,
        method="filter_replied",
        empty_label=_("all reviews"),
    )

    class Meta:
        model = Review
        fields: list[str] = []

    def filter_replied(self, queryset: QuerySet[Review], name: str, value: str) -> QuerySet:
        return queryset.filter(reply__isnull=value == "no")
