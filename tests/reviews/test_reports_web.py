"""Reporting a review on the web: notices of illegal content (DSA art. 16), reports under the
code of conduct, brands' doubts about authenticity (FR-5)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from moderation.models import Report, ReportingSanction, WorkItem
from reviews.services import withdraw_review
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.reporting import (
    EXPLANATION,
    another_review,
    events_after,
    filed_events,
    last_event_id,
    notice_fields,
    publish,
    report_row,
    review_page,
    submission_of,
)


@pytest.fixture
def review(customer, review_input):
    return publish(customer, review_input)


def report_url(review):
    return reverse("reviews:report", args=[review.pk])


@pytest.mark.req("ISO-MOD-1", "DSA-4")
def test_every_published_review_card_links_to_its_report_page(client, review):
    # when: a visitor opens the brand page
    html = client.get(reverse("brand-detail", args=[review.brand.slug])).content.decode()
    # then
    assert f'href="{report_url(review)}"' in html


@pytest.mark.req("DSA-4", "DSA-5", "DSA-6")
def test_a_visitor_sends_a_notice_of_illegal_content(
    client, review, django_capture_on_commit_callbacks
):
    # given
    before = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(review), notice_fields(review))
    # then: the report is stored with the DSA art. 16 fields
    assert response.status_code == 302
    assert response.url == reverse("reviews:report-filed")
    report = Report.objects.get()
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
    item = WorkItem.objects.get(report=report)
    assert (item.kind, item.priority, item.rule_code) == ("report", 1, "illegal_content")
    # and the notifier gets an acknowledgement of receipt, in French by default
    [email] = mail.outbox
    assert email.to == ["jeanne.martin@example.net"]
    assert str(report.pk) in email.subject
    assert email.body.startswith("Bonjour Jeanne Martin,")
    assert review_page(review) in email.body
    report.refresh_from_db()
    assert report.acknowledged_at is not None


def test_the_confirmation_page_says_what_happens_next_to_its_sender_only(
    client, review, django_capture_on_commit_callbacks, settings
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        client.post(report_url(review), notice_fields(review))
    report = Report.objects.get()
    # when
    response = client.get(reverse("reviews:report-filed"), HTTP_ACCEPT_LANGUAGE="en")
    # then
    html = response.content.decode()
    due = report.created_at + settings.REPORT_DECISION_MAX_DELAY
    assert f"Your report no. {report.pk} was received" in html
    assert "within 3 days at most" in html
    assert f'datetime="{timezone.localtime(due).date().isoformat()}"' in html
    assert review.title in html
    # and another visitor sees nothing
    assert client_without_session().get(reverse("reviews:report-filed")).status_code == 404


def client_without_session():
    from django.test import Client

    return Client()


@pytest.mark.req("DSA-5")
def test_the_notice_form_is_prefilled(client, review):
    # given: a visitor
    html = client.get(report_url(review)).content.decode()
    # then: the exact location is the review's page
    assert f'value="{review_page(review)}"' in html
    # given: an account
    member = UserFactory(pseudonym="Lectrice", email="lectrice@example.org")
    client.force_login(member)
    html = client.get(report_url(review)).content.decode()
    # then: its name and email are filled in
    assert 'value="Lectrice"' in html
    assert 'value="lectrice@example.org"' in html


@pytest.mark.req("DSA-5")
@pytest.mark.parametrize(
    "missing",
    [
        "notice-explanation",
        "notice-location_url",
        "notice-notifier_name",
        "notice-notifier_email",
        "notice-good_faith_confirmed",
    ],
)
def test_an_incomplete_notice_is_refused_and_nothing_is_stored(
    client, review, missing, django_capture_on_commit_callbacks
):
    # given
    before = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(review), notice_fields(review, **{missing: None}))
    # then
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert Report.objects.count() == 0
    assert events_after(before) == []
    assert mail.outbox == []


def test_an_account_reports_a_breach_of_the_code_of_conduct(
    client, review, django_capture_on_commit_callbacks
):
    # given
    reader = UserFactory(language="en", email="reader@example.org")
    client.force_login(reader)
    before = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            report_url(review),
            {
                "conduct-source": "code_of_conduct",
                "conduct-rule_code": "off_topic",
                "conduct-explanation": "Cet avis parle d'un autre commerce.",
            },
        )
    # then
    assert response.status_code == 302
    report = Report.objects.get()
    assert report_row(report) == {
        "submission_id": submission_of(review).pk,
        "source": "code_of_conduct",
        "reporter_id": reader.pk,
        "trusted_flagger": False,
        "rule_code": "off_topic",
        "flag_reason": "",
        "explanation": "Cet avis parle d'un autre commerce.",
        "location_url": review_page(review),
        "notifier_name": "",
        "notifier_email": "",
        "good_faith_confirmed": False,
        "status": "open",
        "decided_at": None,
        "manifestly_unfounded": False,
    }
    assert events_after(before) == filed_events()
    [email] = mail.outbox
    assert email.to == ["reader@example.org"]
    assert email.subject == f"We received your report no. {report.pk}"
    assert "within 3 days at most" in email.body
    assert reverse("reviews:my-reports") in email.body


def test_the_code_of_conduct_report_is_for_verified_accounts(client, review, unverified_user):
    # anonymous: a link to log in, and a POST is refused
    html = client.get(report_url(review)).content.decode()
    assert "conduct-rule_code" not in html
    assert reverse("account_login") in html
    response = client.post(
        report_url(review),
        {
            "conduct-source": "code_of_conduct",
            "conduct-rule_code": "off_topic",
            "conduct-explanation": "Hors sujet.",
        },
    )
    assert response.status_code == 403
    # unverified: asked to verify, and refused
    client.force_login(unverified_user)
    html = client.get(report_url(review)).content.decode()
    assert "conduct-rule_code" not in html
    response = client.post(
        report_url(review),
        {
            "conduct-source": "code_of_conduct",
            "conduct-rule_code": "off_topic",
            "conduct-explanation": "Hors sujet.",
        },
    )
    assert response.status_code == 403
    # verified: the form, with the rules but not the illegal-content one (it has its notice)
    client.force_login(UserFactory())
    html = client.get(report_url(review)).content.decode()
    assert '<option value="off_topic">' in html
    assert '<option value="illegal_content">' not in html
    assert Report.objects.count() == 0


@pytest.mark.req("FR-5")
def test_a_brand_member_flags_a_doubt_about_authenticity(
    client, review, brand_agent, django_capture_on_commit_callbacks
):
    # given
    client.force_login(brand_agent)
    html = client.get(report_url(review)).content.decode()
    assert "flag-flag_reason" in html
    before = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            report_url(review),
            {
                "flag-source": "brand_flag",
                "flag-flag_reason": "not_a_customer",
                "flag-explanation": "Aucune commande à ce nom ni à cette date dans nos caisses.",
            },
        )
    # then
    assert response.status_code == 302
    report = Report.objects.get()
    assert report_row(report) == {
        "submission_id": submission_of(review).pk,
        "source": "brand_flag",
        "reporter_id": brand_agent.pk,
        "trusted_flagger": False,
        "rule_code": "no_consumer_experience",
        "flag_reason": "not_a_customer",
        "explanation": "Aucune commande à ce nom ni à cette date dans nos caisses.",
        "location_url": review_page(review),
        "notifier_name": "",
        "notifier_email": "",
        "good_faith_confirmed": False,
        "status": "open",
        "decided_at": None,
        "manifestly_unfounded": False,
    }
    assert events_after(before) == filed_events()
    assert WorkItem.objects.get(report=report).kind == "flag"
    [email] = mail.outbox
    assert email.to == [brand_agent.email]


@pytest.mark.req("FR-5")
def test_a_flag_without_a_reason_is_refused_with_a_clear_message(client, review, brand_owner):
    # given
    brand_owner.language = "en"
    brand_owner.save()
    client.force_login(brand_owner)
    # when
    response = client.post(
        report_url(review),
        {"flag-source": "brand_flag", "flag-flag_reason": "", "flag-explanation": ""},
    )
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the reason for your doubt from the list." in html
    assert Report.objects.count() == 0


def test_only_brand_members_see_and_send_the_flag(client, review):
    # given: a customer of no brand
    client.force_login(UserFactory())
    # then
    assert "flag-flag_reason" not in client.get(report_url(review)).content.decode()
    response = client.post(
        report_url(review),
        {
            "flag-source": "brand_flag",
            "flag-flag_reason": "not_a_customer",
            "flag-explanation": "Aucune commande à ce nom dans nos caisses.",
        },
    )
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_a_withdrawn_review_cannot_be_reported(client, review):
    # given
    withdraw_review(review_id=review.pk, author=review.author)
    # then
    assert client.get(report_url(review)).status_code == 404
    assert client.post(report_url(review), notice_fields(review)).status_code == 404
    assert Report.objects.count() == 0


def test_the_author_is_told_they_cannot_report_their_own_review(client, review):
    client.force_login(review.author)
    response = client.get(report_url(review))
    assert response.status_code == 200
    html = response.content.decode()
    assert "own-review" in html
    assert "notice-explanation" not in html


@pytest.mark.req("DSA-24")
def test_a_suspended_reporter_sees_why_and_until_when(client, review):
    # given
    reporter = UserFactory(language="en")
    now = timezone.now()
    ReportingSanction.objects.create(
        user=reporter,
        kind="warning",
        created_at=now - datetime.timedelta(days=2),
        unfounded_count=3,
        total_count=3,
        gravity="3 of 3",
        intent="first",
    )
    ReportingSanction.objects.create(
        user=reporter,
        kind="suspension",
        created_at=now,
        ends_at=now + datetime.timedelta(days=30),
        unfounded_count=5,
        total_count=5,
        gravity="5 of 5",
        intent="repeated",
    )
    client.force_login(reporter)
    # when
    html = client.get(report_url(review)).content.decode()
    # then
    assert "reporting-suspended" in html
    assert "suspended until" in html
    assert f"{reverse('code-of-conduct')}#reporting-misuse" in html
    assert "notice-explanation" not in html
    # and a report sent anyway is refused
    response = client.post(report_url(review), notice_fields(review))
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_reports_from_one_network_are_rate_limited(client, review, moderator, settings):
    # given
    settings.REPORT_RATE_LIMIT_NETWORK = (1, datetime.timedelta(hours=1))
    other = another_review(review.brand, moderator)
    assert client.post(report_url(review), notice_fields(review)).status_code == 302
    # when
    response = client.post(report_url(other), notice_fields(other))
    # then
    assert response.status_code == 429
    assert Report.objects.count() == 1


def test_an_unknown_form_is_refused(client, review):
    assert client.post(report_url(review), {"nothing": "here"}).status_code == 400
    assert Report.objects.count() == 0


def test_a_brand_member_is_not_offered_the_flag_on_another_brand(client, review):
    member = MembershipFactory().user
    client.force_login(member)
    assert "flag-flag_reason" not in client.get(report_url(review)).content.decode()
