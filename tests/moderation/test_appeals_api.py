"""POST /api/v1/appeals/ for every role, its sad paths, and the appeal state in
GET /api/v1/reviews/mine/ (DSA art. 17, 20)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from moderation.models import Appeal
from tests.factories import MembershipFactory, UserFactory
from tests.moderation.restrictions import (
    dismissed_notice,
    published,
    rejected_by_pipeline,
    statement_of,
)

EXPLANATION = "Mon avis décrit fidèlement ce que j'ai vécu ce jour-là."
URL = "/api/v1/appeals/"


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def author(db):
    return UserFactory(pseudonym="Robin")


@pytest.fixture
def rejected(author, brand):
    return rejected_by_pipeline(author=author, brand=brand)


def event_count() -> int:
    return AuditEvent.objects.count()


def test_the_url_is_the_documented_one():
    assert reverse("api-appeals") == URL


@pytest.mark.req("DSA-17")
def test_the_author_appeals_a_restriction(rejected, author):
    # given
    statement = statement_of(rejected)
    # when
    response = api_as(author).post(
        URL, {"decision_id": statement.decision_id, "explanation": f"  {EXPLANATION} "}
    )
    # then
    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert response.json() == {
        "id": appeal.pk,
        "decision_id": statement.decision_id,
        "report_id": None,
        "explanation": EXPLANATION,
        "status": "open",
        "created_at": response.json()["created_at"],
        "decision_due_by": response.json()["decision_due_by"],
    }
    assert (
        appeal.created_at + settings.APPEAL_DECISION_MAX_DELAY
        == datetime.datetime.fromisoformat(response.json()["decision_due_by"])
    )


@pytest.mark.req("DSA-17")
def test_a_reporter_appeals_the_dismissal_of_their_report(brand, moderator):
    reporter = UserFactory()
    report = dismissed_notice(
        author=UserFactory(), brand=brand, reporter=reporter, moderator=moderator
    )
    response = api_as(reporter).post(URL, {"report_id": report.pk, "explanation": EXPLANATION})
    assert response.status_code == 201
    assert (response.json()["report_id"], response.json()["decision_id"]) == (report.pk, None)


def _role(name, brand, moderator, operator, customer, brand_owner, brand_agent):
    if name == "moderator of the brand":
        tied = UserFactory(role="moderator", moderation_languages=["fr", "en"])
        MembershipFactory(brand=brand, user=tied, role="agent")
        return tied
    return {
        "anonymous": None,
        "customer": customer,
        "brand owner": brand_owner,
        "brand agent": brand_agent,
        "moderator": moderator,
        "operator": operator,
    }[name]


@pytest.mark.req("DSA-17")
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 403),
        ("customer", 404),
        ("brand owner", 404),
        ("brand agent", 404),
        ("moderator", 404),
        ("moderator of the brand", 404),
        ("operator", 404),
    ],
)
def test_nobody_but_the_author_may_contest_a_restriction(
    rejected, brand, moderator, operator, customer, brand_owner, brand_agent, role, status
):
    # given
    user = _role(role, brand, moderator, operator, customer, brand_owner, brand_agent)
    decision_id = statement_of(rejected).decision_id
    before = event_count()
    # when
    response = api_as(user).post(URL, {"decision_id": decision_id, "explanation": EXPLANATION})
    # then
    assert response.status_code == status
    assert Appeal.objects.count() == 0
    assert event_count() == before


DECISION = "<the decision>"


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"explanation": EXPLANATION}, "detail", "invalid_appeal"),
        (
            {"decision_id": DECISION, "report_id": 1, "explanation": EXPLANATION},
            "detail",
            "invalid_appeal",
        ),
        ({"decision_id": "x", "explanation": EXPLANATION}, "decision_id", None),
        ({"decision_id": 0, "explanation": EXPLANATION}, "decision_id", None),
        ({"decision_id": DECISION}, "explanation", None),
        ({"decision_id": DECISION, "explanation": "   "}, "explanation", None),
        ({"decision_id": DECISION, "explanation": "x" * 5001}, "explanation", None),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(rejected, author, payload, field, code):
    # given
    decision_id = statement_of(rejected).decision_id
    payload = {k: decision_id if v == DECISION else v for k, v in payload.items()}
    before = event_count()
    # when
    response = api_as(author).post(URL, payload, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()
    assert response.json().get("code") == code
    assert Appeal.objects.count() == 0
    assert event_count() == before


def test_a_publication_cannot_be_contested(author, brand):
    review = published(author=author, brand=brand)
    response = api_as(author).post(
        URL, {"decision_id": review.decision_id, "explanation": EXPLANATION}
    )
    assert (response.status_code, response.json()["code"]) == (400, "not_restricting")


@pytest.mark.req("DSA-17")
def test_after_six_months_the_api_says_the_appeal_is_closed(rejected, author):
    statement = statement_of(rejected)
    before = event_count()
    with time_machine.travel(
        statement.informed_at + settings.APPEAL_WINDOW + datetime.timedelta(hours=1), tick=False
    ):
        response = api_as(author).post(
            URL,
            {"decision_id": statement.decision_id, "explanation": EXPLANATION},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The six months to contest this decision are over.",
        "code": "appeal_window_closed",
    }
    assert (Appeal.objects.count(), event_count()) == (0, before)


@pytest.mark.req("DSA-17")
def test_a_second_appeal_is_a_conflict(rejected, author):
    payload = {"decision_id": statement_of(rejected).decision_id, "explanation": EXPLANATION}
    assert api_as(author).post(URL, payload).status_code == 201
    response = api_as(author).post(URL, payload)
    assert (response.status_code, response.json()["code"]) == (409, "already_appealed")
    assert Appeal.objects.count() == 1


# GET /api/v1/reviews/mine/: the statement and the appeal of each restricted review


@pytest.mark.req("DSA-17")
def test_my_reviews_show_each_restrictions_statement_and_appeal(
    author, brand, django_assert_num_queries
):
    # given: a refused review, contested; another refused, not contested; one published
    contested = rejected_by_pipeline(author=author, brand=brand)
    api_as(author).post(
        URL,
        {"decision_id": statement_of(contested).decision_id, "explanation": EXPLANATION},
    )
    open_one = rejected_by_pipeline(author=author, brand=brand)
    public = published(author=author, brand=brand)
    client = api_as(author)
    # when: the page's count and its reviews, whatever their number
    with django_assert_num_queries(2):
        response = client.get(reverse("api-my-reviews"))
    # then
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert (rows[public.pk]["statement_url"], rows[public.pk]["appeal"]) == (None, None)
    statement = statement_of(open_one)
    assert rows[open_one.pk]["statement_url"] == f"/avis/{open_one.pk}/decision/"
    appeal = rows[open_one.pk]["appeal"]
    assert appeal == {
        "decision_id": statement.decision_id,
        "in_force": True,
        "can_appeal": True,
        "deadline": appeal["deadline"],
        "status": "",
        "decided_at": None,
    }
    assert datetime.datetime.fromisoformat(appeal["deadline"]) == (
        statement.informed_at + settings.APPEAL_WINDOW
    )
    assert rows[contested.pk]["appeal"]["can_appeal"] is False
    assert rows[contested.pk]["appeal"]["status"] == "open"
