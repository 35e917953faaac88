import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from reviews.services import withdraw_review
from tests.factories import UserFactory
from tests.reviews.publishing import submit_and_decide

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def publish(brand, moderator):
    def run(**fields):
        review = submit_and_decide(brand=brand, moderator=moderator, **fields)
        assert review.status == "published"
        return review

    return run


@pytest.fixture
def four_reviews(publish, place):
    """Ratings 2, 5, 4, 3 published a day apart in March 2026, the third at the place."""
    reviews = []
    for day, rating in enumerate((2, 5, 4, 3), start=1):
        with time_machine.travel(datetime.datetime(2026, 3, day, 12, tzinfo=PARIS), tick=False):
            reviews.append(publish(rating=rating, place=place if day == 3 else None))
    return reviews


def reviews_url(brand) -> str:
    return reverse("api-brand-reviews", args=[brand.slug])


@pytest.mark.req("NF-RES-1", "ISO-PUB-3")
def test_reviews_are_newest_first(api, brand, four_reviews):
    # when
    response = api.get(reviews_url(brand))
    # then
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [r.pk for r in reversed(four_reviews)]
    newest = body["results"][0]
    assert newest["author"] == four_reviews[-1].author.pseudonym
    assert newest["author_published_reviews"] == 1
    assert newest["experience_date"] == four_reviews[-1].experience_date.isoformat()
    assert "email" not in str(body)


@pytest.mark.req("FR-8")
@pytest.mark.parametrize(
    ("sort", "order"),
    [("oldest", [0, 1, 2, 3]), ("highest", [1, 2, 3, 0]), ("lowest", [0, 3, 2, 1])],
)
def test_other_orders(api, brand, four_reviews, sort, order):
    response = api.get(reviews_url(brand), {"sort": sort})
    assert [r["id"] for r in response.json()["results"]] == [four_reviews[i].pk for i in order]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rating": "5"}, [1]),
        ({"place": "magasin-0"}, [2]),
        ({"channel": "website"}, []),
        ({"verified": "yes"}, []),
        ({"language": "fr", "sort": "lowest"}, [0, 3, 2, 1]),
    ],
)
def test_filters(api, brand, place, four_reviews, query, expected):
    place.slug = "magasin-0"
    place.save()
    response = api.get(reviews_url(brand), query)
    assert response.status_code == 200, response.json()
    assert [r["id"] for r in response.json()["results"]] == [four_reviews[i].pk for i in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"rating": "6"}, "rating"),
        ({"sort": "random"}, "sort"),
        ({"place": "elsewhere"}, "place"),
        ({"period": "7"}, "period"),
        ({"verified": "maybe"}, "verified"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_filter_values_get_a_clear_400(api, brand, four_reviews, query, field):
    response = api.get(reviews_url(brand), query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_an_unknown_brand_or_a_bad_cursor_is_404(api, brand):
    assert api.get(reverse("api-brand-reviews", args=["inconnue"])).status_code == 404
    assert api.get(reverse("api-brand-rating", args=["inconnue"])).status_code == 404
    assert api.get(reviews_url(brand), {"cursor": "n'importe quoi"}).status_code == 404


@pytest.mark.req("NF-RES-2")
def test_cursor_pages_follow_the_chosen_order(api, brand, publish, django_assert_num_queries):
    # given: 25 reviews
    reviews = [publish(rating=n % 5 + 1) for n in range(25)]
    # when
    with django_assert_num_queries(3):  # brand, places, page
        first = api.get(reviews_url(brand), {"sort": "highest"}).json()
    with django_assert_num_queries(3):
        second = api.get(first["next"]).json()
    # then
    ids = [r["id"] for r in first["results"] + second["results"]]
    expected = sorted(reviews, key=lambda r: (-r.rating, -r.published_at.timestamp(), -r.pk))
    assert ids == [r.pk for r in expected]
    assert second["next"] is None


@pytest.mark.req("NF-RES-3", "FTC-8", "ISO-PUB-2", "NF-MOD-6")
def test_the_rating_as_json(api, brand, place, four_reviews, django_assert_num_queries):
    # given: one more received and withdrawn
    with time_machine.travel(datetime.datetime(2026, 3, 8, 12, tzinfo=PARIS), tick=False):
        gone = submit_and_decide(brand=brand, moderator=None, rating=1, channel="website")
        withdraw_review(review_id=gone.pk, author=gone.author)
    # when
    with (
        time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=PARIS)),
        django_assert_num_queries(3),  # brand, places, rating counters
    ):
        response = api.get(reverse("api-brand-rating", args=[brand.slug]))
    # then
    assert response.status_code == 200
    period = {"period_start": "2025-03-01", "period_end": "2026-03-10"}
    assert response.json() == {
        "brand": brand.slug,
        "overall": {
            "mean": 3.5,
            "count": 4,
            "stars_total": 14,
            "distribution": {"5": 1, "4": 1, "3": 1, "2": 1, "1": 0},
            "received": 5,
            "received_distribution": {"5": 1, "4": 1, "3": 1, "2": 1, "1": 1},
            **period,
        },
        "by_channel": {
            "in_store": {
                "mean": 3.5,
                "count": 4,
                "stars_total": 14,
                "distribution": {"5": 1, "4": 1, "3": 1, "2": 1, "1": 0},
                "received": 4,
                "received_distribution": {"5": 1, "4": 1, "3": 1, "2": 1, "1": 0},
                **period,
            },
            "website": {
                "mean": None,
                "count": 0,
                "stars_total": 0,
                "distribution": {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0},
                "received": 1,
                "received_distribution": {"5": 0, "4": 0, "3": 0, "2": 0, "1": 1},
                **period,
            },
        },
        "by_place": [
            {
                "place": place.slug,
                "name": place.name,
                "mean": 4.0,
                "count": 1,
                "stars_total": 4,
                "distribution": {"5": 0, "4": 1, "3": 0, "2": 0, "1": 0},
                "received": 1,
                "received_distribution": {"5": 0, "4": 1, "3": 0, "2": 0, "1": 0},
                **period,
            }
        ],
    }


def test_the_api_needs_no_account_and_never_writes(api, brand):
    api.force_authenticate(UserFactory())
    assert api.post(reviews_url(brand), {}).status_code == 405
    assert api.get(reverse("api-brand-rating", args=[brand.slug])).status_code == 200


def test_anonymous_readers_share_a_page_until_the_brand_changes(
    api, brand, publish, brand_owner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # given: a page read once
    first = publish(rating=4)
    assert [r["id"] for r in api.get(reviews_url(brand)).json()["results"]] == [first.pk]
    # when / then: read again without an account: only the brand is read
    with django_assert_num_queries(1):
        again = APIClient().get(reviews_url(brand))
    assert [r["id"] for r in again.json()["results"]] == [first.pk]
    # when / then: a review published, then withdrawn: seen at once
    second = publish(rating=1)
    assert [r["id"] for r in api.get(reviews_url(brand)).json()["results"]] == [
        second.pk,
        first.pk,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_review(review_id=second.pk, author=second.author)
    assert [r["id"] for r in api.get(reviews_url(brand)).json()["results"]] == [first.pk]
    # when / then: a signed-in reader gets the page computed for them
    reader = APIClient()
    reader.force_authenticate(brand_owner)
    with django_assert_num_queries(3):
        reader.get(reviews_url(brand))
