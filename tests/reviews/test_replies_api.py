"""Brand replies through the API: POST and PUT /api/v1/reviews/<id>/reply/ for the brand's
members, and the reply in the public reviews' output with the "with a reply" filter."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from reviews.models import Reply, ReplyVersion
from tests.reviews.publishing import submit_and_decide
from tests.reviews.replying import (
    CLEAN_REPLY,
    ROLES,
    UPDATED_REPLY,
    reply,
    update,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def review(answerable_review):
    return answerable_review


@pytest.fixture
def people(people_by_role):
    return people_by_role


def reply_url(review) -> str:
    return reverse("api-review-reply", args=[review.pk])


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize("method", ["post", "put"])
def test_anonymous_visitors_cannot_reply(db, review, method):
    response = getattr(APIClient(), method)(reply_url(review), {"text": CLEAN_REPLY})
    assert response.status_code == 403  # session authentication first: no challenge, 403
    assert not ReplyVersion.objects.exists()


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_every_role_posts_a_reply(
    people, review, role, allowed, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(people[role]).post(reply_url(review), {"text": CLEAN_REPLY})
    # then
    if not allowed:
        assert response.status_code == 403
        assert response.json()["code"] == "not_brand_member"
        assert not Reply.objects.exists()
        return
    assert response.status_code == 201
    version = ReplyVersion.objects.get()
    body = response.json()
    assert body == {
        "id": version.pk,
        "review_id": review.pk,
        "version": 1,
        "status": "submitted",  # the pipeline runs after the response
        "text": CLEAN_REPLY,
        "language": "fr",
        "submitted_at": body["submitted_at"],
        "decision_due_by": body["decision_due_by"],
        "published_at": None,
        "rule_code": "",
        "attachments": [],
    }
    version.refresh_from_db()
    assert version.status == "published"


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_every_role_puts_a_new_version(brand_owner, people, review, role, allowed):
    # given
    reply(review, brand_owner)
    # when
    response = as_user(people[role]).put(reply_url(review), {"text": UPDATED_REPLY})
    # then
    assert response.status_code == (201 if allowed else 403)
    assert ReplyVersion.objects.count() == (2 if allowed else 1)
    if allowed:
        assert (response.json()["version"], response.json()["text"]) == (2, UPDATED_REPLY)


@pytest.mark.req("NF-RES-5")
def test_the_decision_is_due_within_the_stated_delay(brand_owner, review):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=PARIS), tick=False):
        response = as_user(brand_owner).post(reply_url(review), {"text": CLEAN_REPLY})
    assert response.json()["submitted_at"] == "2026-03-02T12:00:00+01:00"
    assert response.json()["decision_due_by"] == "2026-03-09T12:00:00+01:00"


@pytest.mark.parametrize(
    ("method", "payload", "status", "key", "code"),
    [
        ("post", {}, 400, "text", None),
        ("post", {"text": ""}, 400, "text", None),
        ("post", {"text": "x" * 3001}, 400, "text", "too_long"),
        ("put", {"text": UPDATED_REPLY}, 404, "detail", "no_reply"),
    ],
)
def test_bad_requests_are_refused_clearly(brand_owner, review, method, payload, status, key, code):
    response = getattr(as_user(brand_owner), method)(reply_url(review), payload)
    assert response.status_code == status
    assert key in response.json()
    if code:
        assert response.json()["code"] == code
    assert not ReplyVersion.objects.exists()


def test_a_second_reply_is_a_conflict(brand_owner, brand_agent, review):
    reply(review, brand_owner)
    response = as_user(brand_agent).post(reply_url(review), {"text": UPDATED_REPLY})
    assert (response.status_code, response.json()["code"]) == (409, "already_replied")
    assert ReplyVersion.objects.count() == 1


def test_an_unknown_or_unpublished_review_is_404(brand_owner, review):
    response = as_user(brand_owner).post(
        reverse("api-review-reply", args=[999_999]), {"text": CLEAN_REPLY}
    )
    assert response.status_code == 404


# The public output


def brand_reviews_url(brand) -> str:
    return reverse("api-brand-reviews", args=[brand.slug])


@pytest.mark.req("NF-RES-5")
def test_the_public_output_carries_the_latest_published_reply(brand, brand_owner, review):
    # given
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=PARIS), tick=False):
        reply(review, brand_owner)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 12, tzinfo=PARIS), tick=False):
        update(review, brand_owner)
    # when
    for url in (brand_reviews_url(brand), reverse("api-reviews")):
        results = APIClient().get(url).json()["results"]
        # then
        assert results[0]["reply"] == {
            "text": UPDATED_REPLY,
            "language": "fr",
            "published_at": "2026-03-02T12:00:00+01:00",
            "updated_at": "2026-03-05T12:00:00+01:00",
            "attachments": [],
        }


def test_a_review_without_a_published_reply_has_none(brand, brand_owner, review):
    reply(review, brand_owner, text="Nous porterons plainte contre vous.")
    results = APIClient().get(brand_reviews_url(brand)).json()["results"]
    assert results[0]["reply"] is None


@pytest.mark.parametrize(("query", "expected"), [("yes", ["replied"]), ("no", ["unreplied"])])
def test_the_with_a_reply_filter(brand, brand_owner, moderator, review, query, expected):
    reply(review, brand_owner)
    reviews = {"replied": review, "unreplied": submit_and_decide(brand=brand, moderator=moderator)}
    response = APIClient().get(brand_reviews_url(brand), {"reply": query})
    assert [r["id"] for r in response.json()["results"]] == [reviews[n].pk for n in expected]


def test_a_bad_reply_filter_is_a_400_that_names_it(brand, review):
    response = APIClient().get(brand_reviews_url(brand), {"reply": "maybe"})
    assert response.status_code == 400
    assert "reply" in response.json()


def test_the_brand_reviews_api_reads_the_same_queries_with_replies(
    brand, brand_owner, moderator, review, django_assert_num_queries
):
    # given: a page of reviews, half of them answered
    reviews = [review] + [submit_and_decide(brand=brand, moderator=moderator) for _ in range(9)]
    for answered in reviews[::2]:
        reply(answered, brand_owner)
    # when / then: brand, places, page (tests/reviews/test_brand_api.py)
    with django_assert_num_queries(3):
        response = APIClient().get(brand_reviews_url(brand))
    assert sum(1 for r in response.json()["results"] if r["reply"]) == 5
