"""Misuse of reporting (DSA art. 23(2)-(4)): manifestly unfounded reports lead to a warning,
then a suspension of the account's reporting; both are recorded with the four factors and
emailed, and the policy with its thresholds and durations is published."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from config.errors import PermissionDeniedError
from moderation.models import Report, ReportingSanction, WorkItem
from moderation.services import decide_work_item, file_report, moderate_submission
from tests.factories import UserFactory


@pytest.fixture
def reporter(db):
    return UserFactory(pseudonym="Signaleur", language="en", email="signaleur@example.org")


@pytest.fixture
def published(submission, fake_kind):
    """A new published piece of fake content at each call."""

    def make():
        sub = submission()
        moderate_submission(submission_id=sub.pk)
        return sub

    return make


def report_and_decide(sub, reporter, moderator, *, unfounded=True):
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = file_report(
            kind="fake",
            object_id=sub.object_id,
            source=Report.Source.CODE_OF_CONDUCT,
            reporter=reporter,
            explanation="Ce contenu enfreint la charte.",
            rule_code="off_topic",
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        decide_work_item(
            item_id=WorkItem.objects.get(report=report).pk,
            moderator=moderator,
            action="dismiss",
            manifestly_unfounded=unfounded,
        )
    report.refresh_from_db()
    return report


def sanction_emails(reporter):
    return [m for m in mail.outbox if m.to == [reporter.email] and "report no." not in m.subject]


@pytest.mark.req("DSA-24", "DSA-25")
def test_unfounded_reports_lead_to_a_warning_then_a_suspension(
    published, reporter, moderator, settings
):
    # given: the thresholds of the settings
    assert (settings.REPORTING_WARNING_AFTER, settings.REPORTING_SUSPENSION_AFTER) == (3, 5)
    # one founded dismissal (not manifestly unfounded) and two unfounded ones: no measure
    report_and_decide(published(), reporter, moderator, unfounded=False)
    for _ in range(2):
        report_and_decide(published(), reporter, moderator)
    assert ReportingSanction.objects.count() == 0
    assert sanction_emails(reporter) == []
    # when: the third manifestly unfounded report
    third = report_and_decide(published(), reporter, moderator)
    # then: a warning, with the four factors of art. 23(3)
    warning = ReportingSanction.objects.get()
    assert (
        warning.user,
        warning.kind,
        warning.ends_at,
        warning.unfounded_count,
        warning.total_count,
        warning.gravity,
        warning.intent,
    ) == (
        reporter,
        "warning",
        None,
        3,
        4,
        "3 of 4 reports in 90 days found manifestly unfounded by moderators",
        "first finding of repeated misuse",
    )
    assert warning.created_at == third.decided_at
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORTING_SANCTIONED)
    assert (event.object_id, event.to_status, event.actor, event.details) == (
        str(warning.pk),
        "warning",
        None,
        {"user_id": reporter.pk, "unfounded": 3, "total": 4},
    )
    [email] = sanction_emails(reporter)
    assert email.subject == "Warning: misuse of reporting"
    assert "found 3 of your 4 reports or flags of the last 90 days manifestly unfounded" in (
        " ".join(email.body.split())
    )
    assert "your reporting will be suspended for 30 days" in " ".join(email.body.split())
    assert f"{settings.SITE_URL}{reverse('code-of-conduct')}#reporting-misuse" in email.body
    # and a warned account may still report
    mail.outbox.clear()
    report_and_decide(published(), reporter, moderator)
    assert ReportingSanction.objects.count() == 1
    # when: the fifth
    fifth = report_and_decide(published(), reporter, moderator)
    # then: a suspension for the stated period, recorded and emailed
    suspension = ReportingSanction.objects.get(kind="suspension")
    assert (
        suspension.ends_at,
        suspension.unfounded_count,
        suspension.total_count,
        suspension.intent,
    ) == (fifth.decided_at + datetime.timedelta(days=30), 5, 6, "repeated after a warning")
    [email] = sanction_emails(reporter)
    assert email.subject == "Your reports are suspended"
    assert "suspended until" in email.body
    assert "#reporting-misuse" in email.body
    # and a new report is refused while it lasts (403)
    with pytest.raises(PermissionDeniedError) as refused:
        file_report(
            kind="fake",
            object_id=published().object_id,
            source=Report.Source.CODE_OF_CONDUCT,
            reporter=reporter,
            explanation="Encore.",
            rule_code="off_topic",
        )
    assert (refused.value.status_code, refused.value.code) == (403, "reporting_suspended")
    assert Report.objects.filter(reporter=reporter).count() == 6


@pytest.mark.req("DSA-23", "DSA-24")
def test_a_suspension_always_follows_a_prior_warning(published, reporter, moderator, settings):
    # given: a suspension threshold below the warning threshold
    settings.REPORTING_WARNING_AFTER = 2
    settings.REPORTING_SUSPENSION_AFTER = 1
    # when: one unfounded report
    report_and_decide(published(), reporter, moderator)
    # then: no suspension without a warning first
    assert ReportingSanction.objects.count() == 0
    # when: the second, the warning; the third, only then a suspension
    report_and_decide(published(), reporter, moderator)
    assert list(ReportingSanction.objects.values_list("kind", flat=True)) == ["warning"]
    report_and_decide(published(), reporter, moderator)
    assert list(ReportingSanction.objects.order_by("id").values_list("kind", flat=True)) == [
        "warning",
        "suspension",
    ]


@pytest.mark.req("DSA-24")
def test_reporting_resumes_when_the_suspension_ends(published, reporter, moderator):
    # given
    now = timezone.now()
    ReportingSanction.objects.create(
        user=reporter,
        kind="suspension",
        created_at=now,
        ends_at=now + datetime.timedelta(days=30),
        unfounded_count=5,
        total_count=5,
        gravity="5 of 5",
        intent="repeated after a warning",
    )
    sub = published()
    # when / then
    with time_machine.travel(now + datetime.timedelta(days=31)):
        report = file_report(
            kind="fake",
            object_id=sub.object_id,
            source=Report.Source.CODE_OF_CONDUCT,
            reporter=reporter,
            explanation="Hors sujet.",
            rule_code="off_topic",
        )
    assert report.status == "open"


def test_only_a_moderators_finding_counts_as_unfounded(published, reporter, moderator):
    # given: three dismissals that were not manifestly unfounded
    for _ in range(3):
        report_and_decide(published(), reporter, moderator, unfounded=False)
    # then
    assert ReportingSanction.objects.count() == 0
    assert not Report.objects.filter(manifestly_unfounded=True).exists()


@pytest.mark.req("DSA-26")
def test_the_published_policy_states_the_settings(client, db, settings):
    # given: values that appear nowhere else
    settings.REPORTING_WARNING_AFTER = 7
    settings.REPORTING_SUSPENSION_AFTER = 11
    settings.REPORTING_ABUSE_WINDOW = datetime.timedelta(days=45)
    settings.REPORTING_SUSPENSION = datetime.timedelta(days=12)
    # when
    html = client.get(reverse("code-of-conduct"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    section = html[html.index('id="reporting-misuse"') :]
    text = " ".join(section.split())
    assert "Misuse of reporting" in text
    assert "when 7 reports or flags of an account within 45 days are found" in text
    assert "and 11 reports or flags within 45 days are found manifestly unfounded" in text
    assert "stop processing its reports and flags for 12 days" in text
    assert "There is never a suspension without a prior warning." in text
    assert section.count("<li>") >= 4  # examples
    assert settings.MODERATION_CONTACT_EMAIL in text


@pytest.mark.req("DSA-26")
def test_the_policy_is_published_in_french_too(client, db):
    html = client.get(reverse("code-of-conduct"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'id="reporting-misuse"' in html
    assert "90 jours" in html
    assert "30 jours" in html
