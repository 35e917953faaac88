"""The emails about reports: acknowledgement of receipt (DSA-6), outcome (DSA-7, DSA-8), in
the recipient's language, sent once."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase

from moderation.models import Report
from moderation.services import _settle_report, file_report, moderate_submission
from moderation.tasks import acknowledge_report_task
from tests.factories import UserFactory


@pytest.fixture
def content(submission, fake_kind):
    sub = submission(title="Livraison en retard")
    moderate_submission(submission_id=sub.pk)
    return sub


def notice(content, reporter=None, **fields):
    values = {
        "kind": "fake",
        "object_id": content.object_id,
        "source": Report.Source.ILLEGAL_CONTENT,
        "reporter": reporter,
        "explanation": "Ce contenu diffame une personne nommée.",
        "location_url": "https://voix.example/avis/1/historique/",
        "notifier_name": "Jeanne Martin",
        "notifier_email": "jeanne.martin@example.net",
        "good_faith_confirmed": True,
        **fields,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        return file_report(**values)


@pytest.mark.req("DSA-6")
def test_the_acknowledgement_states_the_maximum_delay_of_the_settings(content, settings):
    # given
    settings.REPORT_DECISION_MAX_DELAY = datetime.timedelta(days=5)
    settings.TRUSTED_FLAGGER_DECISION_MAX_DELAY = datetime.timedelta(hours=12)
    reader = UserFactory(language="en", email="reader@example.org")
    flagger = UserFactory(language="en", is_trusted_flagger=True, email="flagger@example.org")
    # when
    report = notice(content, reporter=reader)
    trusted = notice(content, reporter=flagger)
    # then
    by_address = {m.to[0]: m for m in mail.outbox}
    body = " ".join(by_address["reader@example.org"].body.split())
    assert by_address["reader@example.org"].subject == f"We received your report no. {report.pk}"
    assert "Content reported: “Livraison en retard”" in body
    assert "within 5 days at most" in body
    assert "We will email you the decision, whether automated means were used" in body
    assert "within 12 hours at most" in " ".join(by_address["flagger@example.org"].body.split())
    assert Report.objects.get(pk=trusted.pk).acknowledged_at is not None


@pytest.mark.req("DSA-6")
def test_a_notifier_without_an_account_is_acknowledged_in_french_by_default(content):
    # when
    report = notice(content)
    # then
    [email] = mail.outbox
    assert email.to == ["jeanne.martin@example.net"]
    assert email.body.startswith("Bonjour Jeanne Martin,")
    assert "https://voix.example/avis/1/historique/" in email.body
    assert "mes-signalements" not in email.body  # no account, no reports page
    # and a second delivery sends nothing more
    acknowledge_report_task.delay(report_id=report.pk)
    assert len(mail.outbox) == 1


@pytest.mark.req("DSA-8")
def test_an_outcome_reached_without_a_moderator_says_automated_yes(content):
    # given
    reader = UserFactory(language="en")
    report = notice(content, reporter=reader)
    mail.outbox.clear()
    # when: settled by the engine itself, with no moderator
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        _settle_report(report, None, upheld=False, unfounded=False)
    # then
    [email] = mail.outbox
    assert "Automated: yes. This decision was taken by automated means." in email.body


def test_emails_keep_the_reporters_words_as_written(content):
    # given: a name with characters HTML would escape
    notice(content, notifier_name="L'Œil & <Co>")
    # then: plain text, not HTML entities
    assert mail.outbox[0].body.startswith("Bonjour L'Œil & <Co>,")
