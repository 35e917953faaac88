from django.db.models import QuerySet

from reviews.models import Review


def list_published_reviews(*, brand_id: int | None = None) -> QuerySet[Review]:
    """What the public sees: published reviews only (NF-MOD-2), newest first (NF-RES-1)."""
    reviews = Review.objects.filter(status=Review.Status.PUBLISHED)
    if brand_id is not None:
        reviews = reviews.filter(brand_id=brand_id)
    return reviews.select_related("author", "brand", "place").order_by("-published_at", "-pk")


def list_reviews_of_author(*, author_id: int) -> QuerySet[Review]:
    return (
        Review.objects.filter(author_id=author_id)
        .select_related("brand", "place")
        .order_by("-submitted_at", "-pk")
    )


def get_review(*, review_id: int) -> Review | None:
    return Review.objects.select_related("author", "brand", "place").filter(pk=review_id).first()
