from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from brands.models import Brand
from reviews.models import HelpfulVote, RatingBucket, Review
from reviews.ratings import mean_of, rating_period, rating_timezone


def list_published_reviews(*, brand_id: int | None = None) -> QuerySet[Review]:
    """What the public sees: published reviews only (NF-MOD-2), newest first (NF-RES-1)."""
    reviews = Review.objects.filter(status=Review.Status.PUBLISHED)
    if brand_id is not None:
        reviews = reviews.filter(brand_id=brand_id)
    # With the brand's reply (reply__published): read in the same query, not one per review.
    return reviews.select_related("author", "brand", "place", "reply__published").order_by(
        "-published_at", "-pk"
    )


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
        reviews.select_related("author", "brand", "place", "reply__published")
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


@dataclass(frozen=True)
class InvitationShare:
    """A brand's published reviews of the rating period, invited (written from one of its
    invitations) and spontaneous, with their mean ratings. A large positive gap is what
    inviting only happy customers looks like (FTC-2): brands and moderators both see it."""

    period_start: date
    invited: int
    invited_stars: int
    spontaneous: int
    spontaneous_stars: int

    @property
    def total(self) -> int:
        return self.invited + self.spontaneous

    @property
    def invited_share(self) -> Decimal | None:
        """Percent of the published reviews that were invited, one decimal."""
        return mean_of(100 * self.invited, self.total)

    @property
    def invited_mean(self) -> Decimal | None:
        return mean_of(self.invited_stars, self.invited)

    @property
    def spontaneous_mean(self) -> Decimal | None:
        return mean_of(self.spontaneous_stars, self.spontaneous)

    @property
    def gap(self) -> Decimal | None:
        """Invited mean minus spontaneous mean, in stars; None unless both exist."""
        if self.invited_mean is None or self.spontaneous_mean is None:
            return None
        return self.invited_mean - self.spontaneous_mean

    @property
    def gap_alert(self) -> bool:
        """INVITATION_GAP_ALERT stars or more in favour of invited reviews, each side with at
        least INVITATION_GAP_MIN_REVIEWS reviews (fewer prove nothing)."""
        return (
            self.gap is not None
            and min(self.invited, self.spontaneous) >= settings.INVITATION_GAP_MIN_REVIEWS
            and self.gap >= Decimal(str(settings.INVITATION_GAP_ALERT))
        )


def get_invitation_share(*, brand_id: int) -> InvitationShare:
    """The brand's invited and spontaneous published reviews over the rating period (the one
    of its displayed rating): one query."""
    start = rating_period()[0]
    since = datetime.combine(start, time.min, tzinfo=rating_timezone())
    invited = Q(invitation__isnull=False)
    figures = Review.objects.filter(
        brand_id=brand_id, status=Review.Status.PUBLISHED, published_at__gte=since
    ).aggregate(
        invited=Count("pk", filter=invited),
        invited_stars=Coalesce(Sum("rating", filter=invited), 0),
        spontaneous=Count("pk", filter=~invited),
        spontaneous_stars=Coalesce(Sum("rating", filter=~invited), 0),
    )
    return InvitationShare(period_start=start, **figures)


def list_latest_place_reviews(*, brand_id: int, place_id: int, limit: int) -> list[Review]:
    """A place's latest published reviews, newest first, with only what a shop screen shows:
    no author (the screen is public, in a shop). Read backwards along review_brand_pub_idx."""
    return list(
        Review.objects.filter(brand_id=brand_id, place_id=place_id, status=Review.Status.PUBLISHED)
        .only("rating", "title", "text", "experience_date", "published_at", "verification")
        .order_by("-published_at", "-pk")[:limit]
    )


def decided_for_email_catch_up(now: datetime | None = None) -> dict[str, datetime]:
    """The lookups of what was decided between DECISION_EMAIL_CATCH_UP_WINDOW and
    DECISION_EMAIL_CATCH_UP_AFTER ago (reviews here, reply versions in reply_selectors)."""
    now = now or timezone.now()
    return {
        "decided_at__gte": now - settings.DECISION_EMAIL_CATCH_UP_WINDOW,
        "decided_at__lte": now - settings.DECISION_EMAIL_CATCH_UP_AFTER,
    }


def decisions_not_emailed(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """(review id, decision id) of the decisions whose email should have gone out by now and
    has not: its task was lost (a broker down when the decision committed). Decisions made
    between DECISION_EMAIL_CATCH_UP_WINDOW and DECISION_EMAIL_CATCH_UP_AFTER ago, on reviews
    neither withdrawn nor back with a moderator (a referral is never emailed), by authors who
    are emailed (not imported ones). A later email (a request for proof) counts as the author
    being up to date: decision ids only grow."""
    rows = (
        Review.objects.filter(**decided_for_email_catch_up(now), author__is_imported=False)
        .exclude(status__in=(Review.Status.IN_REVIEW, Review.Status.WITHDRAWN))
        .exclude(notified_decision_id__gte=F("decision_id"))
        .order_by("decided_at")
        .values_list("pk", "decision_id")
    )
    return [(pk, decision_id) for pk, decision_id in rows if decision_id is not None]
