"""A moderator decides a report: the reporter is told the outcome, whether automated means
decided, and how to contest it (DSA-7, DSA-8); "My reports" shows it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from audit.models import AuditEvent
from moderation.models import Appeal, Report
from moderation.services import file_appeal
from moderation.tasks import acknowledge_report_task, notify_report_outcome_task
from reviews.models import Review
from reviews.services import flag_review, report_review
from tests.factories import UserFactory
from tests.reviews.reporting import (
    EXPLANATION,
    decide,
    events_after,
    last_event_id,
    publish,
    review_page,
)


@pytest.fixture
def review(customer, review_input):
    return publish(customer, review_input)


@pytest.fixture
def reader(db):
    return UserFactory(pseudonym="Lectrice", language="en", email="lectrice@example.org")


def file_conduct_report(review, reporter, callbacks, rule_code="personal_data"):
    with callbacks(execute=True):
        report = report_review(
            review_id=review.pk,
            reporter=reporter,
            source="code_of_conduct",
            explanation="Le nom complet d'une vendeuse figure dans l'avis.",
            rule_code=rule_code,
        )
    mail.outbox.clear()
    return report


def file_anonymous_notice(review, callbacks):
    with callbacks(execute=True):
        report = report_review(
            review_id=review.pk,
            reporter=None,
            source="illegal_content",
            explanation=EXPLANATION,
            location_url=review_page(review),
            notifier_name="Jeanne Martin",
            notifier_email="jeanne.martin@example.net",
            good_faith_confirmed=True,
        )
    mail.outbox.clear()
    return report


@pytest.mark.req("DSA-7", "DSA-8")
def test_an_upheld_report_is_told_with_redress_and_no_automation(
    review, reader, moderator, django_capture_on_commit_callbacks
):
    # given
    report = file_conduct_report(review, reader, django_capture_on_commit_callbacks)
    before = last_event_id()
    # when: a moderator removes the review
    report = decide(report, moderator, "remove", rule_code="personal_data")
    # then
    assert (report.status, report.decided_by, report.manifestly_unfounded) == (
        "upheld",
        moderator,
        False,
    )
    assert Review.objects.get(pk=review.pk).status == "removed"
    assert (AuditEvent.Action.REPORT_DECIDED, "moderation.report", "upheld") in events_after(before)
    emails = [m for m in mail.outbox if m.to == [reader.email]]
    assert len(emails) == 1
    email = emails[0]
    assert email.subject == f"Your report no. {report.pk} was upheld"
    assert "Outcome: upheld. The content was removed." in email.body
    assert "Rule of the code of conduct: Personal data (personal_data)" in email.body
    assert "Automated: no. This decision was taken by a moderator." in email.body
    assert "out-of-court dispute settlement body" in email.body
    assert "the courts" in email.body
    assert report.outcome_notified_at is not None


@pytest.mark.req("DSA-7", "DSA-8", "DSA-17")
def test_a_dismissed_report_is_told_with_the_appeal_form(
    review, reader, moderator, django_capture_on_commit_callbacks, settings
):
    # given
    report = file_conduct_report(review, reader, django_capture_on_commit_callbacks)
    # when
    report = decide(report, moderator, "dismiss")
    # then
    assert report.status == "dismissed"
    assert Review.objects.get(pk=review.pk).status == "published"
    [email] = mail.outbox
    assert email.to == [reader.email]
    assert email.subject == f"Your report no. {report.pk} was dismissed"
    assert "Outcome: dismissed. The content stays online" in email.body
    assert "Automated: no." in email.body
    appeal_url = settings.SITE_URL + reverse("reviews:appeal-report", args=[report.pk])
    assert appeal_url in email.body
    with translation.override("en"):
        deadline = date_format(
            timezone.localtime(report.decided_at + settings.APPEAL_WINDOW), "DATE_FORMAT"
        )
    assert f"free of charge until {deadline} (six months)" in email.body
    assert "out-of-court dispute settlement body" in email.body
    assert Report.objects.get(pk=report.pk).outcome_notified_at is not None


@pytest.mark.req("DSA-7", "DSA-8", "DSA-17")
def test_a_notifier_without_an_account_is_given_a_link_and_the_contact_point(
    review, moderator, django_capture_on_commit_callbacks, settings
):
    # given: a notice filed from the French site
    with translation.override("fr"):
        report = file_anonymous_notice(review, django_capture_on_commit_callbacks)
    # when
    report = decide(report, moderator, "dismiss")
    # then: in French, the notice's language, with the public appeal link and the contact point
    [email] = mail.outbox
    assert email.to == ["jeanne.martin@example.net"]
    assert email.body.startswith("Bonjour Jeanne Martin,")
    assert settings.MODERATION_CONTACT_EMAIL in email.body
    assert f"{settings.SITE_URL}/avis/signalements/contester/" in email.body
    assert reverse("reviews:my-reports") not in email.body  # no reports page without an account


def test_the_outcome_and_acknowledgement_are_sent_once(
    review, reader, moderator, django_capture_on_commit_callbacks
):
    # given: a decided report, told once
    report = file_conduct_report(review, reader, django_capture_on_commit_callbacks)
    decide(report, moderator, "dismiss")
    assert len(mail.outbox) == 1
    # when: the tasks are delivered again
    notify_report_outcome_task.delay(report_id=report.pk)
    acknowledge_report_task.delay(report_id=report.pk)
    # then
    assert len(mail.outbox) == 1


def test_an_open_report_gets_no_outcome_email(review, reader, django_capture_on_commit_callbacks):
    report = file_conduct_report(review, reader, django_capture_on_commit_callbacks)
    notify_report_outcome_task.delay(report_id=report.pk)
    notify_report_outcome_task.delay(report_id=report.pk + 1000)
    assert mail.outbox == []


@pytest.mark.req("FR-5", "DSA-7")
def test_a_brand_flag_that_leads_to_removal_is_told_to_the_brand(
    review, brand_owner, moderator, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        report = flag_review(
            review_id=review.pk,
            user=brand_owner,
            flag_reason="not_a_customer",
            explanation="Aucune commande à ce nom ni à cette date dans nos caisses.",
        )
    mail.outbox.clear()
    # when
    report = decide(report, moderator, "remove")
    # then: the rule the flag invoked is cited
    assert (report.status, report.rule_code) == ("upheld", "no_consumer_experience")
    flag_emails = [m for m in mail.outbox if m.to == [brand_owner.email]]
    assert len(flag_emails) == 1
    assert "(no_consumer_experience)" in flag_emails[0].body


def test_my_reports_page_shows_status_dates_and_the_appeal_link(
    client, review, reader, moderator, django_capture_on_commit_callbacks
):
    # given: a dismissed report
    report = file_conduct_report(review, reader, django_capture_on_commit_callbacks)
    decide(report, moderator, "dismiss")
    client.force_login(reader)
    # when
    html = client.get(reverse("reviews:my-reports")).content.decode()
    # then
    assert f"Report no. {report.pk}" in html
    assert "Dismissed: the content stays" in html
    assert f'href="/avis/{review.pk}/historique/"' in html
    appeal = reverse("reviews:appeal-report", args=[report.pk])
    assert f'href="{appeal}"' in html
    # when: the reporter contests it, the link gives way to a note
    file_appeal(appellant=reader, explanation="L'avis cite bien un nom.", report_id=report.pk)
    html = client.get(reverse("reviews:my-reports")).content.decode()
    assert f'href="{appeal}"' not in html
    assert "You contested this decision." in html
    assert Appeal.objects.filter(report=report).count() == 1


def test_the_appeal_link_closes_after_six_months(
    client, review, reader, moderator, django_capture_on_commit_callbacks
):
    report = file_conduct_report(review, reader, django_capture_on_commit_callbacks)
    decide(report, moderator, "dismiss")
    client.force_login(reader)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=184)):
        html = client.get(reverse("reviews:my-reports")).content.decode()
    assert "appeal-link" not in html


def test_my_reports_page_shows_only_mine_and_needs_an_account(
    client, review, reader, django_capture_on_commit_callbacks
):
    report = file_conduct_report(review, reader, django_capture_on_commit_callbacks)
    response = client.get(reverse("reviews:my-reports"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    client.force_login(UserFactory())
    html = client.get(reverse("reviews:my-reports")).content.decode()
    assert f"Report no. {report.pk}" not in html
