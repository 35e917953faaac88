"""Ratings: how they are counted, kept up to date and recomputed (NF-RES-3, NF-RES-8, FTC-8).

The method, stated on the information page and checked by `recompute_ratings --check`:

- A rating is the arithmetic mean of the stars of the reviews **published** during the rating
  period and still published, shown with one decimal (half up), with their number, the number
  per star, and the number of reviews **received** during the same period whatever became of
  them (pending, rejected, withdrawn by their author): "N published out of M received".
- The period is made of **calendar months** (Europe/Paris time): the current month so far and the
  12 months before it (`settings.RATING_WINDOW`, 365 days, rounded to whole months). On the first
  day of a month, the oldest month leaves the period: a review counts for 12 to 13 months.
- A review counts from its publication and stops counting the moment it leaves publication
  (withdrawn by its author, removed): the counters change in the same transaction as the review's
  status, so the refresh delay is nil.

Counters live in `RatingBucket` rows, one per brand, place, channel, month and star. Reading a
rating sums at most 13 months of rows: one small indexed query, never a recount of reviews.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from brands.page_cache import touch_brand_page
from reviews.models import RatingBucket, RatingRecount, Review

STARS = (5, 4, 3, 2, 1)
# (brand_id, place_id, channel, month, rating)
BucketKey = tuple[int, int | None, str, date, int]


def rating_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def window_months() -> int:
    """The number of full months before the current one that count (12 for 365 days)."""
    return max(1, round(settings.RATING_WINDOW.days * 12 / 365))


def month_of(moment: datetime) -> date:
    """The first day of the calendar month of `moment`, in the platform's time zone."""
    return moment.astimezone(rating_timezone()).date().replace(day=1)


def rating_period(*, today: date | None = None) -> tuple[date, date]:
    """(first day counted, last day counted): the current month and the `window_months()` before."""
    today = today or timezone.now().astimezone(rating_timezone()).date()
    months = today.year * 12 + today.month - 1 - window_months()
    return date(months // 12, months % 12 + 1, 1), today


def mean_of(stars_total: int, count: int) -> Decimal | None:
    """The displayed mean: one decimal, half up (4.25 shows as 4.3); None without reviews."""
    if not count:
        return None
    return (Decimal(stars_total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rating:
    """A rating as displayed: everything needed to recompute the figure is in it."""

    count: int
    stars_total: int
    distribution: dict[int, int]  # star -> published reviews
    received: int
    received_distribution: dict[int, int]  # star -> reviews received
    period_start: date
    period_end: date
    mean: Decimal | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", mean_of(self.stars_total, self.count))

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(star, published, percent of published) from 5 to 1 stars, for the bar list."""
        return [
            (star, n, round(100 * n / self.count) if self.count else 0)
            for star, n in ((s, self.distribution.get(s, 0)) for s in STARS)
        ]


@dataclass(frozen=True)
class BrandRatings:
    overall: Rating
    by_channel: dict[str, Rating]
    by_place: dict[int, Rating]


class _Tally:
    def __init__(self) -> None:
        self.published: dict[int, int] = defaultdict(int)
        self.received: dict[int, int] = defaultdict(int)

    def add(self, rating: int, published: int, received: int) -> None:
        self.published[rating] += published
        self.received[rating] += received

    def rating(self, period: tuple[date, date]) -> Rating:
        return Rating(
            count=sum(self.published.values()),
            stars_total=sum(star * n for star, n in self.published.items()),
            distribution={star: self.published.get(star, 0) for star in STARS},
            received=sum(self.received.values()),
            received_distribution={star: self.received.get(star, 0) for star in STARS},
            period_start=period[0],
            period_end=period[1],
        )


def _window_rows(brand_id: int, *, period: tuple[date, date], **filters: Any) -> Any:
    return (
        RatingBucket.objects.filter(brand_id=brand_id, month__gte=period[0], **filters)
        .values("place_id", "channel", "rating")
        .annotate(published=Sum("published"), received=Sum("received"))
        .order_by()
    )


def get_rating(
    *,
    brand_id: int,
    place_id: int | None = None,
    channel: str | None = None,
    today: date | None = None,
) -> Rating:
    """The rating of a brand, or of one of its places, or of one channel: one query."""
    period = rating_period(today=today)
    filters: dict[str, Any] = {}
    if place_id is not None:
        filters["place_id"] = place_id
    if channel is not None:
        filters["channel"] = channel
    tally = _Tally()
    for row in _window_rows(brand_id, period=period, **filters):
        tally.add(row["rating"], row["published"], row["received"])
    return tally.rating(period)


def get_brand_ratings(*, brand_id: int, today: date | None = None) -> BrandRatings:
    """The brand's rating, and its rating per channel and per place: one query for all."""
    period = rating_period(today=today)
    overall = _Tally()
    channels: dict[str, _Tally] = defaultdict(_Tally)
    places: dict[int, _Tally] = defaultdict(_Tally)
    for row in _window_rows(brand_id, period=period):
        values = (row["rating"], row["published"], row["received"])
        overall.add(*values)
        channels[row["channel"]].add(*values)
        if row["place_id"] is not None:
            places[row["place_id"]].add(*values)
    return BrandRatings(
        overall=overall.rating(period),
        by_channel={name: tally.rating(period) for name, tally in channels.items()},
        by_place={pk: tally.rating(period) for pk, tally in places.items()},
    )


# Writes: called by reviews.services, inside the transaction that changes the review.


def record_review_received(review: Review) -> None:
    """Count a new review as received, in its month of submission."""
    _add(review, month=month_of(review.submitted_at), received=1)


def record_rating_change(review: Review, *, from_status: str, to_status: str) -> None:
    """Keep the counters in step with a status change (called by `_transition` only).

    Precondition: `review.published_at` is set when the review enters `published`, and is still
    its publication time when it leaves `published`.
    """
    entering = to_status == Review.Status.PUBLISHED
    if entering == (from_status == Review.Status.PUBLISHED):
        return
    if review.published_at is None:
        raise ValueError(f"Review {review.pk} changes publication without a publication time")
    _add(review, month=month_of(review.published_at), published=1 if entering else -1)


def _add(review: Review, *, month: date, published: int = 0, received: int = 0) -> None:
    touch_brand_page(brand_id=review.brand_id)  # its rating block changes
    key = {
        "brand_id": review.brand_id,
        "place_id": review.place_id,
        "channel": review.channel,
        "month": month,
        "rating": review.rating,
    }
    if _increment(key, published=published, received=received):
        return
    try:
        with transaction.atomic():  # a savepoint: a concurrent insert wins, then we update it
            RatingBucket.objects.create(**key, published=published, received=received)
    except IntegrityError:
        _increment(key, published=published, received=received)


# {place} is one of the two fragments of `_increment`, never a value.
_INCREMENT = (
    'UPDATE "reviews_ratingbucket" SET "published" = "published" + %s, '
    '"received" = "received" + %s '
    'WHERE "brand_id" = %s AND {place} AND "channel" = %s AND "month" = %s AND "rating" = %s'
)


def _increment(key: dict[str, Any], *, published: int, received: int) -> int:
    """Add to an existing counter; returns the number of rows updated (0 or 1).

    In SQL rather than the ORM: it runs for every submission and every moderation decision,
    and building the ORM's UPDATE cost the worker several times what the database spends
    running it.
    """
    place, place_params = '"place_id" IS NULL', []
    if key["place_id"] is not None:
        place, place_params = '"place_id" = %s', [key["place_id"]]
    with connection.cursor() as cursor:
        cursor.execute(
            _INCREMENT.format(place=place),
            [
                published,
                received,
                key["brand_id"],
                *place_params,
                key["channel"],
                connection.ops.adapt_datefield_value(key["month"]),
                key["rating"],
            ],
        )
        return cursor.rowcount


# Recomputation from the reviews themselves (manage.py recompute_ratings).


@dataclass(frozen=True)
class BucketDifference:
    key: BucketKey
    stored: tuple[int, int]  # (published, received)
    recomputed: tuple[int, int]

    def describe(self) -> str:
        brand_id, place_id, channel, month, rating = self.key
        return (
            f"brand={brand_id} place={place_id or '-'} channel={channel} month={month:%Y-%m} "
            f"rating={rating}: stored published={self.stored[0]} received={self.stored[1]}, "
            f"recomputed published={self.recomputed[0]} received={self.recomputed[1]}"
        )


def recount_buckets() -> dict[BucketKey, tuple[int, int]]:
    """Every counter, recounted from the reviews (two grouped queries)."""
    tz = rating_timezone()
    counts: dict[BucketKey, list[int]] = defaultdict(lambda: [0, 0])
    groups = (
        (0, "published_at", Q(status=Review.Status.PUBLISHED)),
        (1, "submitted_at", Q()),
    )
    for index, moment, condition in groups:
        rows = (
            Review.objects.filter(condition)
            .annotate(bucket_month=TruncMonth(moment, tzinfo=tz))
            .values("brand_id", "place_id", "channel", "bucket_month", "rating")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            month = row["bucket_month"].astimezone(tz).date().replace(day=1)
            key = (row["brand_id"], row["place_id"], row["channel"], month, row["rating"])
            counts[key][index] += row["n"]
    return {key: (value[0], value[1]) for key, value in counts.items()}


def stored_buckets() -> dict[BucketKey, tuple[int, int]]:
    rows = RatingBucket.objects.values_list(
        "brand_id", "place_id", "channel", "month", "rating", "published", "received"
    )
    return {(b, p, c, m, r): (pub, rec) for b, p, c, m, r, pub, rec in rows}


def compare_buckets() -> tuple[list[BucketDifference], int]:
    """(differences between the stored counters and a recount, number of buckets compared)."""
    stored, recomputed = stored_buckets(), recount_buckets()
    keys = set(stored) | set(recomputed)
    differences = [
        BucketDifference(
            key=key, stored=stored.get(key, (0, 0)), recomputed=recomputed.get(key, (0, 0))
        )
        for key in keys
        if stored.get(key, (0, 0)) != recomputed.get(key, (0, 0))
    ]
    differences.sort(key=lambda d: (d.key[0], d.key[1] or 0, d.key[2], d.key[3], d.key[4]))
    return differences, len(keys)


@transaction.atomic
def rebuild_rating_buckets() -> tuple[RatingRecount, list[BucketDifference]]:
    """Set every counter to its recount, and record the run in the audit trail.

    On PostgreSQL the counters' table is locked first (reads go on, writers wait), so a review
    changing status meanwhile is counted exactly once: before the recount, or after it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RatingBucket._meta.db_table} IN EXCLUSIVE MODE")
    differences, checked = compare_buckets()
    for difference in differences:
        brand_id, place_id, channel, month, rating = difference.key
        published, received = difference.recomputed
        key = {
            "brand_id": brand_id,
            "place_id": place_id,
            "channel": channel,
            "month": month,
            "rating": rating,
        }
        if not RatingBucket.objects.filter(**key).update(published=published, received=received):
            RatingBucket.objects.create(**key, published=published, received=received)
    recount = RatingRecount.objects.create(
        ran_at=timezone.now(), buckets_checked=checked, corrections=len(differences)
    )
    record_event(
        actor=None,
        action=AuditEvent.Action.RATINGS_RECOMPUTED,
        target=recount,
        details={
            "buckets_checked": checked,
            "corrections": len(differences),
            "corrected": [d.describe() for d in differences[:100]],
        },
    )
    return recount, differences
