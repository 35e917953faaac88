"""Whatever happens to reviews, the rating counters equal a recount, and the displayed figures
equal a naive computation from the reviews (NF-RES-3)."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ApplicationError
from moderation.models import Decision, Submission
from moderation.services import decide_submission
from reviews.models import Review
from reviews.ratings import get_rating, rating_period
from reviews.services import _lock, _transition, submit_review, withdraw_review
from tests.factories import BrandFactory, PlaceFactory, UserFactory
from tests.reviews.publishing import review_text

PARIS = ZoneInfo("Europe/Paris")
START = datetime.datetime(2025, 1, 20, 10, 0, tzinfo=PARIS)
DUPLICATE = (
    "Livraison arrivée en retard de deux jours, colis abîmé, mais le service client a "
    "fini par proposer un avoir correct après plusieurs relances par courriel."
)
REJECTED = "Le boulanger est un gros connard qui parle mal à tous ses clients le matin."
CHANNELS = ("in_store", "website", "delivery")

submit_step = st.tuples(
    st.just("submit"),
    st.integers(0, 4),  # author
    st.integers(0, 1),  # brand
    st.booleans(),  # at its place
    st.sampled_from(CHANNELS),
    st.integers(1, 5),  # rating
    st.sampled_from(["clean", "clean", "duplicate", "rejected"]),
)
decide_step = st.tuples(
    st.just("decide"), st.integers(0, 30), st.sampled_from(["publish", "reject", "label"])
)
pick_step = st.tuples(st.sampled_from(["withdraw", "remove", "reinstate"]), st.integers(0, 30))
wait_step = st.tuples(st.just("wait"), st.integers(1, 120))
steps = st.lists(
    st.one_of(submit_step, submit_step, decide_step, pick_step, wait_step), min_size=6, max_size=24
)


def pick(statuses: tuple[str, ...], index: int) -> Review | None:
    reviews = list(Review.objects.filter(status__in=statuses).order_by("pk"))
    return reviews[index % len(reviews)] if reviews else None


def run(step: tuple, *, authors: list, brands: list, moderator) -> None:
    kind = step[0]
    if kind == "submit":
        _, author, brand_index, at_place, channel, rating, text = step
        brand, place = brands[brand_index]
        with TestCase.captureOnCommitCallbacks(execute=True):
            submit_review(
                author=authors[author],
                brand=brand,
                place=place if at_place else None,
                channel=channel,
                rating=rating,
                title="Mon avis",
                text={"duplicate": DUPLICATE, "rejected": REJECTED}.get(text)
                or review_text(rating),
                language="fr",
                experience_date=timezone.localdate() - datetime.timedelta(days=1),
                attested=True,
            )
    elif kind == "decide":
        review = pick((Review.Status.IN_REVIEW,), step[1])
        if review is not None:
            submission = Submission.objects.get(kind="review", object_id=str(review.pk))
            rule = {"publish": "", "reject": "duplicate_content", "label": "undisclosed_incentive"}
            with TestCase.captureOnCommitCallbacks(execute=True):
                decide_submission(
                    submission_id=submission.pk,
                    moderator=moderator,
                    outcome=Decision.Outcome(step[2]),
                    rule_code=rule[step[2]],
                )
    elif kind == "withdraw":
        review = pick(("submitted", "in_review", "published"), step[1])
        if review is not None:
            withdraw_review(review_id=review.pk, author=review.author)
    elif kind in ("remove", "reinstate"):
        # No removal or appeal service exists yet: what they will do is call _transition.
        statuses = ("published",) if kind == "remove" else ("rejected", "removed")
        review = pick(statuses, step[1])
        if review is not None:
            with transaction.atomic():
                locked = _lock(review.pk)
                if kind == "reinstate" and locked.published_at is None:
                    locked.published_at = timezone.now()
                to = Review.Status.REMOVED if kind == "remove" else Review.Status.PUBLISHED
                _transition(locked, to=to, actor=moderator, fields=("published_at",))


def naive_rating(brand_id: int, **filters) -> tuple:
    start, _end = rating_period()
    since = datetime.datetime.combine(start, datetime.time(), tzinfo=PARIS)
    reviews = Review.objects.filter(brand_id=brand_id, **filters)
    published = [r.rating for r in reviews.filter(status="published", published_at__gte=since)]
    received = reviews.filter(submitted_at__gte=since).count()
    distribution = {star: published.count(star) for star in (5, 4, 3, 2, 1)}
    return len(published), sum(published), distribution, received


@pytest.mark.req("NF-RES-3")
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_ratings_always_equal_a_recount(db, moderator, steps):
    with time_machine.travel(START, tick=False) as clock, transaction.atomic():
        # given: a fresh world for each example, rolled back at its end
        cache.clear()
        authors = [UserFactory() for _ in range(5)]
        brands = []
        for _ in range(2):
            brand = BrandFactory()
            brands.append((brand, PlaceFactory(brand=brand)))
        # when
        for step in steps:
            if step[0] == "wait":
                clock.shift(datetime.timedelta(days=step[1]))
                continue
            try:
                run(step, authors=authors, brands=brands, moderator=moderator)
            except ApplicationError:
                pass  # refused by a business rule (one live review, rate limit...): fine
        # then: the stored counters equal a recount
        call_command("recompute_ratings", "--check", stdout=StringIO())
        # and every displayed figure equals a naive computation from the reviews
        for brand, place in brands:
            for filters in ({}, {"place_id": place.pk}, {"channel": "website"}):
                rating = get_rating(brand_id=brand.pk, **filters)
                expected = naive_rating(brand.pk, **filters)
                shown = (rating.count, rating.stars_total, rating.distribution, rating.received)
                assert shown == expected
        transaction.set_rollback(True)
