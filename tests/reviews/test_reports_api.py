"""Reporting a review through the API: POST reviews/{id}/reports/ and reviews/{id}/flags/,
GET reports/mine/."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from moderation.models import Report, ReportingSanction, WorkItem
from reviews.services import withdraw_review
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.reporting import (
    EXPLANATION,
    another_review,
    decide,
    events_after,
    filed_events,
    last_event_id,
    publish,
    report_row,
    review_page,
    submission_of,
)

NOTICE = {
    "explanation": EXPLANATION,
    "notifier_name": "Jeanne Martin",
    "notifier_email": "jeanne.martin@example.net",
    "good_faith_confirmed": True,
}
FLAG = {
    "flag_reason": "competitor_or_staff",
    "explanation": "L'auteur travaille chez notre concurrent direct, rue voisine.",
}


@pytest.fixture
def review(customer, review_input):
    return publish(customer, review_input)


def api_as(user=None):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        api.force_authenticate(user)
    return api


def reports_url(review):
    return reverse("api-review-reports", args=[review.pk])


def flags_url(review):
    return reverse("api-review-flags", args=[review.pk])


def post(url, data, user=None, callbacks=None):
    with callbacks(execute=True):
        return api_as(user).post(url, data, format="json")


@pytest.mark.req("DSA-4", "DSA-5", "DSA-6")
def test_anyone_sends_a_notice_through_the_api(review, django_capture_on_commit_callbacks):
    # given
    before = last_event_id()
    # when: no location given, the review's page is the location
    response = post(reports_url(review), NOTICE, callbacks=django_capture_on_commit_callbacks)
    # then
    assert response.status_code == 201
    report = Report.objects.get()
    body = response.json()
    assert body == {
        "id": report.pk,
        "source": "illegal_content",
        "status": "open",
        "rule_code": "illegal_content",
        "flag_reason": "",
        "kind": "review",
        "object_id": str(review.pk),
        "title": review.title,
        "brand": review.brand.slug,
        "created_at": body["created_at"],
        "decision_due_by": body["decision_due_by"],
        "decided_at": None,
    }
    due = datetime.datetime.fromisoformat(body["decision_due_by"])
    assert due == report.created_at + datetime.timedelta(days=3)
    assert report_row(report) == {
        "submission_id": submission_of(review).pk,
        "source": "illegal_content",
        "reporter_id": None,
        "trusted_flagger": False,
        "rule_code": "illegal_content",
        "flag_reason": "",
        "explanation": EXPLANATION,
        "location_url": review_page(review),
        "notifier_name": "Jeanne Martin",
        "notifier_email": "jeanne.martin@example.net",
        "good_faith_confirmed": True,
        "status": "open",
        "decided_at": None,
        "manifestly_unfounded": False,
    }
    assert events_after(before) == filed_events()
    [email] = mail.outbox
    assert email.to == ["jeanne.martin@example.net"]
    assert str(report.pk) in email.subject


@pytest.mark.req("DSA-5")
@pytest.mark.parametrize(
    "change",
    [
        {"explanation": ""},
        {"explanation": "   "},
        {"location_url": ""},
        {"notifier_name": ""},
        {"notifier_email": ""},
        {"good_faith_confirmed": False},
    ],
)
def test_an_incomplete_notice_gets_400_and_nothing_is_stored(
    review, change, django_capture_on_commit_callbacks
):
    # given
    before = last_event_id()
    # when
    response = post(
        reports_url(review), {**NOTICE, **change}, callbacks=django_capture_on_commit_callbacks
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "notice_incomplete"
    assert "good faith" in response.json()["detail"]
    assert Report.objects.count() == 0
    assert events_after(before) == []
    assert mail.outbox == []


def test_a_flag_through_the_reports_endpoint_gets_400(review, brand_owner):
    response = api_as(brand_owner).post(
        reports_url(review), {**FLAG, "source": "brand_flag"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_source")
    assert Report.objects.count() == 0


def test_a_malformed_email_or_location_gets_400(review):
    for change in ({"notifier_email": "not-an-email"}, {"location_url": "javascript:alert(1)"}):
        response = api_as().post(reports_url(review), {**NOTICE, **change}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == set(change)
    assert Report.objects.count() == 0


def test_an_account_reports_a_breach_of_the_code_of_conduct(
    review, django_capture_on_commit_callbacks
):
    # given
    reader = UserFactory(language="en")
    before = last_event_id()
    # when
    response = post(
        reports_url(review),
        {"source": "code_of_conduct", "rule_code": "advertising", "explanation": "Publicité."},
        user=reader,
        callbacks=django_capture_on_commit_callbacks,
    )
    # then
    assert response.status_code == 201
    report = Report.objects.get()
    assert report_row(report) == {
        "submission_id": submission_of(review).pk,
        "source": "code_of_conduct",
        "reporter_id": reader.pk,
        "trusted_flagger": False,
        "rule_code": "advertising",
        "flag_reason": "",
        "explanation": "Publicité.",
        "location_url": review_page(review),
        "notifier_name": "",
        "notifier_email": "",
        "good_faith_confirmed": False,
        "status": "open",
        "decided_at": None,
        "manifestly_unfounded": False,
    }
    assert events_after(before) == filed_events()
    assert WorkItem.objects.get(report=report).kind == "report"
    [email] = mail.outbox
    assert (email.to, email.subject) == ([reader.email], f"We received your report no. {report.pk}")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"source": "code_of_conduct", "explanation": "Hors sujet."}, "invalid_rule"),
        (
            {"source": "code_of_conduct", "rule_code": "nope", "explanation": "Hors sujet."},
            "invalid_rule",
        ),
    ],
)
def test_a_code_of_conduct_report_needs_a_published_rule(review, data, code):
    response = api_as(UserFactory()).post(reports_url(review), data, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert Report.objects.count() == 0


def test_code_of_conduct_reports_need_a_verified_account(review, unverified_user):
    data = {"source": "code_of_conduct", "rule_code": "off_topic", "explanation": "Hors sujet."}
    anonymous = api_as().post(reports_url(review), data, format="json")
    assert (anonymous.status_code, anonymous.json()["code"]) == (403, "login_required")
    unverified = api_as(unverified_user).post(reports_url(review), data, format="json")
    assert (unverified.status_code, unverified.json()["code"]) == (403, "email_not_verified")
    assert Report.objects.count() == 0


def test_one_open_report_per_account_and_review(review):
    reader = UserFactory()
    data = {"source": "code_of_conduct", "rule_code": "off_topic", "explanation": "Hors sujet."}
    assert api_as(reader).post(reports_url(review), data, format="json").status_code == 201
    again = api_as(reader).post(reports_url(review), data, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_reported")
    assert Report.objects.count() == 1


@pytest.mark.req("FR-5")
def test_a_brand_member_flags_a_doubt_for_free(
    review, brand_owner, django_capture_on_commit_callbacks
):
    # given
    before = last_event_id()
    # when
    response = post(
        flags_url(review), FLAG, user=brand_owner, callbacks=django_capture_on_commit_callbacks
    )
    # then
    assert response.status_code == 201
    report = Report.objects.get()
    assert response.json()["source"] == "brand_flag"
    assert report_row(report) == {
        "submission_id": submission_of(review).pk,
        "source": "brand_flag",
        "reporter_id": brand_owner.pk,
        "trusted_flagger": False,
        "rule_code": "no_consumer_experience",
        "flag_reason": "competitor_or_staff",
        "explanation": FLAG["explanation"],
        "location_url": review_page(review),
        "notifier_name": "",
        "notifier_email": "",
        "good_faith_confirmed": False,
        "status": "open",
        "decided_at": None,
        "manifestly_unfounded": False,
    }
    assert events_after(before) == filed_events()
    item = WorkItem.objects.get(report=report)
    assert (item.kind, item.priority) == ("flag", 1)
    assert [m.to for m in mail.outbox] == [[brand_owner.email]]


@pytest.mark.req("FR-5")
@pytest.mark.parametrize(
    "data",
    [
        {"explanation": FLAG["explanation"]},
        {"flag_reason": "", "explanation": FLAG["explanation"]},
        {"flag_reason": "not_a_customer", "explanation": ""},
        {"flag_reason": "not_a_customer", "explanation": "Faux."},
    ],
)
def test_a_flag_without_a_reason_gets_400(review, brand_owner, data):
    # when
    response = api_as(brand_owner).post(flags_url(review), data, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "A flag needs a reason from the list and an explanation.",
        "code": "flag_reason_required",
    }
    assert Report.objects.count() == 0


def test_an_unknown_flag_reason_gets_400(review, brand_owner):
    response = api_as(brand_owner).post(
        flags_url(review), {**FLAG, "flag_reason": "too_negative"}, format="json"
    )
    assert (response.status_code, list(response.json())) == (400, ["flag_reason"])
    assert Report.objects.count() == 0


@pytest.mark.req("FR-5")
def test_a_non_member_flag_gets_403(review, customer):
    response = api_as(UserFactory()).post(flags_url(review), FLAG, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_brand_member")
    member_elsewhere = MembershipFactory().user
    response = api_as(member_elsewhere).post(flags_url(review), FLAG, format="json")
    assert response.status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.parametrize("endpoint", [reports_url, flags_url])
def test_a_withdrawn_or_unknown_review_gets_404(review, brand_owner, endpoint):
    # given
    withdraw_review(review_id=review.pk, author=review.author)
    data = NOTICE if endpoint is reports_url else FLAG
    # when
    response = api_as(brand_owner).post(endpoint(review), data, format="json")
    # then
    assert response.status_code == 404
    missing = api_as(brand_owner).post(
        reverse("api-review-reports", args=[review.pk + 1000]), NOTICE, format="json"
    )
    assert missing.status_code == 404
    assert Report.objects.count() == 0


def test_a_review_awaiting_moderation_gets_404(customer, review_input):
    from reviews.services import submit_review

    pending = submit_review(author=customer, **review_input)  # the pipeline has not run
    response = api_as().post(reports_url(pending), NOTICE, format="json")
    assert response.status_code == 404
    assert Report.objects.count() == 0


@pytest.mark.req("DSA-22")
def test_a_trusted_flaggers_notice_comes_first(
    review, review_input, django_capture_on_commit_callbacks
):
    # given: an ordinary notice, then a trusted flagger's
    post(reports_url(review), NOTICE, callbacks=django_capture_on_commit_callbacks)
    flagger = UserFactory(is_trusted_flagger=True, pseudonym="Association")
    # when
    response = post(
        reports_url(review), NOTICE, user=flagger, callbacks=django_capture_on_commit_callbacks
    )
    # then
    assert response.status_code == 201
    trusted = Report.objects.get(reporter=flagger)
    assert (trusted.trusted_flagger, trusted.notifier_email) == (True, flagger.email)
    item = WorkItem.objects.get(report=trusted)
    assert item.priority == 0
    assert item.due_at == trusted.created_at + datetime.timedelta(days=1)
    ordinary = WorkItem.objects.get(report__reporter=None)
    assert ordinary.priority == 1
    queue = list(
        WorkItem.objects.filter(state="open", kind="report").order_by("priority", "due_at", "id")
    )
    assert queue == [item, ordinary]


@pytest.mark.req("DSA-24")
def test_a_suspended_account_gets_403(review):
    # given
    reporter = UserFactory()
    now = timezone.now()
    ReportingSanction.objects.create(
        user=reporter,
        kind="suspension",
        created_at=now,
        ends_at=now + datetime.timedelta(days=30),
        unfounded_count=5,
        total_count=6,
        gravity="5 of 6",
        intent="repeated",
    )
    # when
    response = api_as(reporter).post(reports_url(review), NOTICE, format="json")
    # then
    assert (response.status_code, response.json()["code"]) == (403, "reporting_suspended")
    assert "suspended until" in response.json()["detail"]
    assert Report.objects.count() == 0


def test_reports_are_rate_limited_per_account_and_network(review, moderator, settings):
    # given
    settings.REPORT_RATE_LIMIT_ACCOUNT = (1, datetime.timedelta(hours=1))
    settings.REPORT_RATE_LIMIT_NETWORK = (2, datetime.timedelta(hours=1))
    reader = UserFactory()
    others = [another_review(review.brand, moderator) for _ in range(3)]
    # when: one account, twice
    assert api_as(reader).post(reports_url(review), NOTICE, format="json").status_code == 201
    again = api_as(reader).post(reports_url(others[0]), NOTICE, format="json")
    # then
    assert (again.status_code, again.json()["code"]) == (429, "rate_limited_account")
    assert again.json()["detail"] == "You have sent many reports recently. Please try again later."
    # when: visitors from one network (the test client's address), past its allowance
    assert api_as().post(reports_url(others[1]), NOTICE, format="json").status_code == 201
    third = api_as().post(reports_url(others[2]), NOTICE, format="json")
    assert (third.status_code, third.json()["code"]) == (429, "rate_limited_network")
    assert Report.objects.count() == 2


ROLES = [
    # role, notice, flag
    ("anonymous", 201, 403),
    ("customer", 201, 403),
    ("author", 400, 400),  # one's own content: never
    ("brand_owner", 201, 201),
    ("brand_agent", 201, 201),
    ("moderator", 201, 403),
    ("moderator_of_the_brand", 201, 201),
    ("operator", 201, 403),
]


@pytest.mark.parametrize("endpoint", ["notice", "flag"])
@pytest.mark.parametrize(("role", "notice", "flag"), ROLES)
def test_who_may_report_and_flag(review, brand, role, notice, flag, endpoint, request):
    # given
    user = {
        "anonymous": lambda: None,
        "customer": lambda: UserFactory(),
        "author": lambda: review.author,
        "brand_owner": lambda: request.getfixturevalue("brand_owner"),
        "brand_agent": lambda: request.getfixturevalue("brand_agent"),
        "moderator": lambda: request.getfixturevalue("moderator"),
        "moderator_of_the_brand": lambda: (
            MembershipFactory(
                brand=brand, user=UserFactory(role="moderator", moderation_languages=["fr"])
            ).user
        ),
        "operator": lambda: request.getfixturevalue("operator"),
    }[role]()
    url, data, expected = (
        (reports_url(review), NOTICE, notice)
        if endpoint == "notice"
        else (flags_url(review), FLAG, flag)
    )
    # when
    response = api_as(user).post(url, data, format="json")
    # then
    assert response.status_code == expected
    assert Report.objects.count() == (1 if expected == 201 else 0)


def test_my_reports_lists_mine_with_status_dates_and_appeal_link(
    review, moderator, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # given: two reports of mine, one dismissed; one of someone else
    reader = UserFactory()
    other = another_review(review.brand, moderator)
    data = {"source": "code_of_conduct", "rule_code": "off_topic", "explanation": "Hors sujet."}
    for target in (review, other):
        post(reports_url(target), data, user=reader, callbacks=django_capture_on_commit_callbacks)
    post(reports_url(review), NOTICE, callbacks=django_capture_on_commit_callbacks)
    first = Report.objects.get(reporter=reader, submission__object_id=str(review.pk))
    decide(first, moderator, "dismiss")
    api = api_as(reader)
    # when
    with django_assert_num_queries(2):  # count, page (authentication is forced)
        response = api.get(reverse("api-my-reports"))
    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        (Report.objects.get(reporter=reader, submission__object_id=str(other.pk)).pk, "open"),
        (first.pk, "dismissed"),
    ]
    assert results[0]["decided_at"] is None
    assert results[0]["appeal_url"] == ""
    assert results[1]["decided_at"] is not None
    assert results[1]["appealed"] is False
    assert results[1]["appeal_url"] == reverse("reviews:appeal-report", args=[first.pk])
    assert results[1]["content_url"] == f"/avis/{review.pk}/historique/"


def test_my_reports_needs_an_account(db):
    assert api_as().get(reverse("api-my-reports")).status_code == 403
