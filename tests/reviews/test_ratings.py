import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from audit.models import AuditEvent
from audit.services import compute_event_hash
from reviews.models import RatingBucket, RatingRecount, Review
from reviews.ratings import (
    Rating,
    compare_buckets,
    get_brand_ratings,
    get_rating,
    mean_of,
    rating_period,
)
from reviews.services import _lock, _transition, withdraw_review
from tests.factories import PlaceFactory
from tests.reviews.publishing import submit_and_decide

PARIS = ZoneInfo("Europe/Paris")
REJECTED_TEXT = "Le boulanger est un gros connard qui parle mal à tous ses clients le matin."


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def publish(brand, moderator):
    def run(**fields):
        return submit_and_decide(brand=brand, moderator=moderator, **fields)

    return run


@pytest.mark.req("NF-RES-3", "NF-RES-8")
def test_a_published_review_counts_at_once(brand, publish):
    # when
    review = publish(rating=4)
    # then
    assert review.status == "published"
    rating = get_rating(brand_id=brand.pk)
    assert (rating.mean, rating.count, rating.stars_total, rating.received) == (
        Decimal("4.0"),
        1,
        4,
        1,
    )
    assert rating.distribution == {5: 0, 4: 1, 3: 0, 2: 0, 1: 0}
    bucket = RatingBucket.objects.get()
    assert (bucket.brand_id, bucket.place_id, bucket.channel, bucket.rating) == (
        brand.pk,
        None,
        "in_store",
        4,
    )
    assert (bucket.published, bucket.received) == (1, 1)
    assert bucket.month == review.published_at.astimezone(PARIS).date().replace(day=1)


@pytest.mark.req("NF-MOD-6", "NF-RES-3")
def test_a_withdrawn_review_leaves_the_rating_at_once(brand, publish):
    # given
    kept = publish(rating=5)
    withdrawn = publish(rating=1)
    assert get_rating(brand_id=brand.pk).count == 2
    # when
    withdraw_review(review_id=withdrawn.pk, author=withdrawn.author)
    # then: out of the mean, still counted as received
    rating = get_rating(brand_id=brand.pk)
    assert (rating.mean, rating.count, rating.received) == (Decimal("5.0"), 1, 2)
    assert rating.distribution[1] == 0
    assert kept.status == "published"


@pytest.mark.req("FTC-8", "ISO-PUB-2")
def test_a_rejected_review_is_received_but_not_published(brand, publish):
    # given
    publish(rating=4)
    # when
    rejected = publish(rating=1, text=REJECTED_TEXT)
    # then
    assert rejected.status == "rejected"
    rating = get_rating(brand_id=brand.pk)
    assert (rating.count, rating.received) == (1, 2)
    assert rating.received_distribution == {5: 0, 4: 1, 3: 0, 2: 0, 1: 1}


@pytest.mark.req("NF-RES-3")
def test_a_removed_then_reinstated_review_leaves_and_reenters_the_rating(brand, publish, moderator):
    # given
    review = publish(rating=2)
    # when: removed (after a report), then published again (after an appeal)
    with transaction.atomic():
        _transition(_lock(review.pk), to=Review.Status.REMOVED, actor=moderator)
    removed = get_rating(brand_id=brand.pk).count
    with transaction.atomic():
        _transition(_lock(review.pk), to=Review.Status.PUBLISHED, actor=moderator)
    # then
    assert (removed, get_rating(brand_id=brand.pk).count) == (0, 1)
    assert compare_buckets()[0] == []


def test_mean_is_shown_with_one_decimal_rounded_half_up():
    assert [mean_of(17, 4), mean_of(21, 5), mean_of(2, 3), mean_of(0, 0)] == [
        Decimal("4.3"),  # 4.25
        Decimal("4.2"),
        Decimal("0.7"),
        None,
    ]


@pytest.mark.req("NF-RES-3")
@pytest.mark.parametrize(
    ("today", "start"),
    [
        (datetime.date(2026, 10, 15), datetime.date(2025, 10, 1)),
        (datetime.date(2026, 1, 1), datetime.date(2025, 1, 1)),
        (datetime.date(2026, 12, 31), datetime.date(2025, 12, 1)),
    ],
)
def test_the_period_is_the_current_month_and_the_twelve_before(today, start):
    assert rating_period(today=today) == (start, today)


@pytest.mark.req("NF-RES-3")
def test_a_review_leaves_the_rating_when_its_month_leaves_the_period(brand, publish):
    # given: published on the last evening of September and the first night of October (Paris)
    with time_machine.travel(at(2025, 9, 30, 23, 30), tick=False):
        september = publish(rating=1)
    with time_machine.travel(at(2025, 10, 1, 0, 10), tick=False):
        october = publish(rating=5)
    # when: in October 2026, the period starts on 1 October 2025
    rating = get_rating(brand_id=brand.pk, today=datetime.date(2026, 10, 15))
    # then
    assert (september.status, october.status) == ("published", "published")
    assert (rating.count, rating.mean, rating.received) == (1, Decimal("5.0"), 1)
    assert get_rating(brand_id=brand.pk, today=datetime.date(2026, 9, 30)).count == 2
    assert compare_buckets()[0] == []


@pytest.mark.req("NF-RES-3")
def test_ratings_per_channel_and_place(brand, place, publish):
    # given
    other_place = PlaceFactory(brand=brand, name="Dupain Nation", city="Paris")
    publish(rating=5, place=place, channel="in_store")
    publish(rating=3, place=place, channel="website")
    publish(rating=4, place=other_place, channel="in_store")
    publish(rating=1, channel="delivery")
    # when
    ratings = get_brand_ratings(brand_id=brand.pk)
    # then
    assert (ratings.overall.count, ratings.overall.mean) == (4, Decimal("3.3"))
    assert {name: r.mean for name, r in ratings.by_channel.items()} == {
        "in_store": Decimal("4.5"),
        "website": Decimal("3.0"),
        "delivery": Decimal("1.0"),
    }
    assert {pk: (r.count, r.mean) for pk, r in ratings.by_place.items()} == {
        place.pk: (2, Decimal("4.0")),
        other_place.pk: (1, Decimal("4.0")),
    }
    assert get_rating(brand_id=brand.pk, place_id=place.pk) == ratings.by_place[place.pk]
    assert get_rating(brand_id=brand.pk, channel="in_store") == ratings.by_channel["in_store"]


@pytest.mark.req("NF-RES-3")
def test_reading_a_rating_is_one_query_whatever_the_number_of_reviews(
    brand, place, publish, django_assert_num_queries
):
    # given
    for n in range(12):
        publish(rating=n % 5 + 1, place=place if n % 2 else None)
    # when / then
    with django_assert_num_queries(1):
        get_rating(brand_id=brand.pk)
    with django_assert_num_queries(1):
        ratings = get_brand_ratings(brand_id=brand.pk)
    assert ratings.overall.count == 12


@pytest.mark.req("NF-RES-3")
def test_recompute_check_reports_each_difference_and_changes_nothing(brand, publish):
    # given: a counter that drifted
    review = publish(rating=4)
    RatingBucket.objects.filter(rating=4).update(published=3)
    events = AuditEvent.objects.count()
    out = StringIO()
    # when
    with pytest.raises(CommandError, match="1 of 1 rating counters differ"):
        call_command("recompute_ratings", "--check", stdout=out)
    # then
    month = review.published_at.astimezone(PARIS).strftime("%Y-%m")
    assert out.getvalue().splitlines() == [
        f"brand={brand.pk} place=- channel=in_store month={month} rating=4: "
        "stored published=3 received=1, recomputed published=1 received=1"
    ]
    assert RatingBucket.objects.get().published == 3
    assert (AuditEvent.objects.count(), RatingRecount.objects.count()) == (events, 0)


@pytest.mark.req("NF-RES-3")
def test_recompute_rebuilds_the_counters_and_records_the_run(brand, publish):
    # given: one counter drifted, one is missing
    publish(rating=4)
    publish(rating=2)
    RatingBucket.objects.filter(rating=4).update(published=7)
    RatingBucket.objects.filter(rating=2).delete()
    out = StringIO()
    # when
    call_command("recompute_ratings", stdout=out)
    # then
    assert out.getvalue().splitlines()[-1] == "2 rating counters checked, 2 corrected"
    assert sorted(RatingBucket.objects.values_list("rating", "published", "received")) == [
        (2, 1, 1),
        (4, 1, 1),
    ]
    recount = RatingRecount.objects.get()
    assert (recount.buckets_checked, recount.corrections) == (2, 2)
    event = AuditEvent.objects.get(action=AuditEvent.Action.RATINGS_RECOMPUTED)
    assert (event.actor_id, event.object_type, event.object_id) == (
        None,
        "reviews.ratingrecount",
        str(recount.pk),
    )
    assert (event.details["buckets_checked"], event.details["corrections"]) == (2, 2)
    assert len(event.details["corrected"]) == 2
    assert event.hash == compute_event_hash(event)
    call_command("recompute_ratings", "--check", stdout=StringIO())  # no CommandError


@pytest.mark.req("NF-RES-3")
def test_a_recompute_with_nothing_to_correct_is_recorded_too(brand, publish):
    # given
    publish(rating=5)
    out = StringIO()
    # when
    call_command("recompute_ratings", stdout=out)
    # then
    assert out.getvalue().splitlines() == ["1 rating counters checked, 0 corrected"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.RATINGS_RECOMPUTED)
    assert (event.details["corrections"], event.details["corrected"]) == (0, [])


def test_an_empty_rating_has_no_mean():
    rating = Rating(
        count=0,
        stars_total=0,
        distribution={},
        received=0,
        received_distribution={},
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2026, 1, 10),
    )
    assert (rating.mean, rating.bars[0]) == (None, (5, 0, 0))


@pytest.mark.req("NF-RES-3")
def test_the_data_migration_fills_the_counters_like_a_recount(brand, place, publish):
    # given: reviews that existed before the counters
    import importlib

    from django.apps import apps

    publish(rating=5, place=place)
    gone = publish(rating=2, channel="website")
    withdraw_review(review_id=gone.pk, author=gone.author)
    RatingBucket.objects.all().delete()
    # when
    importlib.import_module("reviews.migrations.0003_fill_rating_buckets").fill(apps, None)
    # then
    assert compare_buckets() == ([], 2)
