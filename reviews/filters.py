import django_filters

from reviews.models import Review


class PublishedReviewFilter(django_filters.FilterSet):
    brand = django_filters.CharFilter(field_name="brand__slug")
    rating = django_filters.NumberFilter(field_name="rating")
    language = django_filters.CharFilter(field_name="language")
    channel = django_filters.ChoiceFilter(choices=Review.Channel.choices)

    class Meta:
        model = Review
        fields = ["brand", "rating", "language", "channel"]
