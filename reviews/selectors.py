from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from brands.models import Brand
from reviews.models import HelpfulVote, RatingBucket, Review
from reviews.ratings import rating_period


def list_published_reviews(*, brand_id: int | None = None) -> QuerySet[Review]:
    """What the public sees: published reviews only (NF-MOD-2), newest first (NF-RES-1)."""
    reviews = Review.objects.filter(status=Review.Status.PUBLISHED)
    if brand_id is not None:
        reviews = reviews.filter(brand_id=brand_id)
    return reviews.select_related("author", "brand", "place").order_by("-published_at", "-pk")


def list_brand_reviews(*, brand_id: int, place_id: int | None = None) -> QuerySet[Review]:
    """A brand's (or place's) published reviews, newest first (NF-RES-1), each with its author's
    number of published reviews (NF-RES-7), in one query whatever the page size."""
    published_by_author = (
        Review.objects.filter(author_id=OuterRef("author_id"), status=Review.Status.PUBLISHED)
        .order_by()
        .values("author_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reviews = Review.objects.filter(brand_id=brand_id, status=Review.Status.PUBLISHED)
    if place_id is not None:
        reviews = reviews.filter(place_id=place_id)
    return (
        reviews.select_related("author", "brand", "place")
        .annotate(
            author_published_count=Coalesce(
                Subquery(published_by_author, output_field=IntegerField()), 0
            )
        )
        .order_by("-published_at", "-id")
    )


def list_brands_with_ratings() -> QuerySet[Brand]:
    """Brands by name, each with `rating_count` and `rating_total` over the rating period."""
    window = (
        RatingBucket.objects.filter(brand_id=OuterRef("pk"), month__gte=rating_period()[0])
        .order_by()
        .values("brand_id")
    )
    count = window.annotate(n=Sum("published")).values("n")
    total = window.annotate(t=Sum(F("rating") * F("published"))).values("t")
    return (
        Brand.objects.annotate(
            rating_count=Coalesce(Subquery(count, output_field=IntegerField()), 0),
            rating_total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        )
        .prefetch_related("places")
        .order_by("name", "pk")
    )


def list_helpful_review_ids(*, user_id: int, review_ids: list[int]) -> set[int]:
    """Which of these reviews the user already found helpful."""
    return set(
        HelpfulVote.objects.filter(user_id=user_id, review_id__in=review_ids).values_list(
            "review_id", flat=True
        )
    )


def list_reviews_of_author(*, author_id: int) -> QuerySet[Review]:
    return (
        Review.objects.filter(author_id=author_id)
        .select_related("brand", "place")
        .order_by("-submitted_at", "-pk")
    )


def get_review(*, review_id: int) -> Review | None:
    return Review.objects.select_related("author", "brand", "place").filter(pk=review_id).first()
