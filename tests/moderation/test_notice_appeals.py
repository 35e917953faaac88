"""A notifier without an account contests the dismissal of their notice of illegal content
(DSA art. 20(1)): a signed link in the outcome email opens a public form for six months; the
appeal is decided by another moderator and the notifier is told, in their notice's language."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from config.errors import ApplicationError, ConflictError, PermissionDeniedError
from moderation.models import Appeal, Report, WorkItem
from moderation.selectors import list_queue
from moderation.services import file_notice_appeal, report_appeal_token
from moderation.statements import ODS_BODIES_URL
from reviews.models import Review
from tests.factories import UserFactory
from tests.moderation.restrictions import (
    another_moderator,
    decide,
    item_of,
    notify,
    published,
)

A = AuditEvent.Action
EXPLANATION = (
    "Cet avis accuse le gérant d'un vol : c'est diffamatoire, je maintiens mon signalement."
)
REASONS = "L'avis impute un délit précis à une personne nommée, sans le moindre élément."
LINK = re.compile(re.escape(settings.SITE_URL) + r"(/avis/signalements/contester/[^/\s]+/)")


@pytest.fixture
def author(db):
    return UserFactory(language="en", pseudonym="Robin")


@pytest.fixture
def dismissed(author, brand, moderator) -> Report:
    """A notice of illegal content filed in French without an account, dismissed by
    `moderator`; the outbox keeps only the outcome email sent to the notifier."""
    review = published(author=author, brand=brand)
    report = notify(
        review,
        reporter=None,
        notifier_name="Jeanne Martin",
        notifier_email="jeanne.martin@example.net",
        language="fr",
    )
    mail.outbox.clear()
    decide(item_of(report=report), moderator, "dismiss")
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    return report


def link_in_outcome_email() -> str:
    [email] = mail.outbox
    assert email.to == ["jeanne.martin@example.net"]
    match = LINK.search(email.body)
    assert match is not None, email.body
    return match.group(1)


def nothing_stored() -> bool:
    return not Appeal.objects.exists() and not WorkItem.objects.filter(kind="appeal").exists()


@pytest.mark.req("DSA-17")
def test_the_outcome_email_links_to_a_public_form_that_files_the_appeal(client, dismissed):
    # given: the link of the outcome email, opened without logging in
    path = link_in_outcome_email()
    assert str(settings.MODERATION_CONTACT_EMAIL) in mail.outbox[0].body
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Your report no. {dismissed.pk}" in html
    assert 'name="explanation"' in html
    event_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    # when: the notifier sends the form
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(path, {"explanation": EXPLANATION}, HTTP_ACCEPT_LANGUAGE="en")
    # then: the appeal is stored with the notice's name and address, audited without actor,
    # and queued for a moderator other than the first decider
    assert response.status_code == 302
    assert response["Location"] == path
    filed = Appeal.objects.get()
    assert (
        filed.appellant,
        filed.appellant_name,
        filed.appellant_email,
        filed.report,
        filed.decision,
        filed.first_decided_by,
        filed.explanation,
        filed.status,
    ) == (
        None,
        "Jeanne Martin",
        "jeanne.martin@example.net",
        dismissed,
        None,
        dismissed.decided_by,
        EXPLANATION,
        "open",
    )
    item = item_of(appeal=filed)
    assert (item.kind, item.state, item.excluded_moderator) == (
        "appeal",
        "open",
        dismissed.decided_by,
    )
    assert item.due_at == filed.created_at + settings.APPEAL_DECISION_MAX_DELAY
    events = AuditEvent.objects.filter(id__gt=event_id).order_by("id")
    assert [(e.action, e.object_type, e.to_status) for e in events] == [
        (A.APPEAL_FILED, "moderation.appeal", "open"),
        (A.WORK_ITEM_OPENED, "moderation.workitem", "open"),
    ]
    filed_event = events[0]
    assert filed_event.actor_id is None
    assert filed_event.details == {
        "submission_id": dismissed.submission_id,
        "decision_id": None,
        "report_id": dismissed.pk,
        "by": "reporter",
    }
    # and the page now says the appeal is being examined, with no form
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You contested this decision" in html
    assert 'name="explanation"' not in html


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda report: "not-a-token", id="garbage"),
        pytest.param(lambda report: report_appeal_token(report)[:-2] + "xx", id="tampered"),
        pytest.param(
            lambda report: signing.dumps({"report": report.pk}, salt="voix.other"),
            id="another-salt",
        ),
        pytest.param(
            lambda report: signing.dumps({"report": report.pk + 1000}, salt="voix.report-appeal"),
            id="unknown-report",
        ),
    ],
)
def test_a_bad_link_is_refused_with_a_clear_message(client, dismissed, make_token):
    # given
    path = reverse("reviews:appeal-notice", args=[make_token(dismissed)])
    # when
    shown = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    posted = client.post(path, {"explanation": EXPLANATION}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    for response in (shown, posted):
        assert response.status_code == 404
        html = response.content.decode()
        assert "This link to contest a decision is invalid or has expired." in html
        assert str(settings.MODERATION_CONTACT_EMAIL) in html
        assert 'name="explanation"' not in html
    assert nothing_stored()


def test_a_link_to_a_report_filed_from_an_account_is_refused(client, brand, moderator, dismissed):
    # given: a dismissed notice from an account; its reporter uses the form in their account
    report = notify(published(author=UserFactory(), brand=brand), reporter=UserFactory())
    decide(item_of(report=report), moderator, "dismiss")
    # when
    path = reverse("reviews:appeal-notice", args=[report_appeal_token(report)])
    response = client.post(path, {"explanation": EXPLANATION})
    # then
    assert response.status_code == 404
    assert nothing_stored()


@pytest.mark.req("DSA-17")
def test_after_six_months_the_link_and_the_appeal_are_refused(client, dismissed):
    # given
    path = link_in_outcome_email()
    closes = dismissed.decided_at + settings.APPEAL_WINDOW
    # when: six months and a second later, the link has expired
    with time_machine.travel(closes + datetime.timedelta(seconds=1), tick=False):
        response = client.post(path, {"explanation": EXPLANATION}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 404
    assert "invalid or has expired" in response.content.decode()
    assert nothing_stored()
    # a link signed later still cannot reopen the six months from the dismissal
    with time_machine.travel(dismissed.decided_at + datetime.timedelta(days=30), tick=False):
        later = report_appeal_token(dismissed)
    with (
        time_machine.travel(closes + datetime.timedelta(seconds=1), tick=False),
        pytest.raises(ApplicationError) as error,
    ):
        file_notice_appeal(token=later, explanation=EXPLANATION)
    assert error.value.code == "appeal_window_closed"
    assert nothing_stored()
    # on the last moment of the six months it is accepted
    with time_machine.travel(closes, tick=False):
        assert file_notice_appeal(token=later, explanation=EXPLANATION).report == dismissed


def test_one_appeal_per_report(client, dismissed):
    # given: the notifier already contested
    path = link_in_outcome_email()
    token = path.rstrip("/").rsplit("/", 1)[1]
    file_notice_appeal(token=token, explanation=EXPLANATION)
    # when / then: a second one is refused, by the service and by the page
    with pytest.raises(ConflictError) as error:
        file_notice_appeal(token=token, explanation="Encore une fois.")
    assert error.value.code == "already_appealed"
    response = client.post(path, {"explanation": "Encore une fois."}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "You already contested this decision." in response.content.decode()
    assert Appeal.objects.count() == 1
    assert WorkItem.objects.filter(kind="appeal").count() == 1


def test_an_empty_explanation_or_an_undismissed_report_is_refused(client, brand, dismissed):
    # given
    path = link_in_outcome_email()
    # when: an empty explanation
    response = client.post(path, {"explanation": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 400
    assert nothing_stored()
    # when: a notice still open (its link was never sent, but is signed alike)
    report = notify(
        published(author=UserFactory(), brand=brand),
        reporter=None,
        notifier_name="Jeanne Martin",
        notifier_email="jeanne.martin@example.net",
    )
    with pytest.raises(ApplicationError) as error:
        file_notice_appeal(token=report_appeal_token(report), explanation=EXPLANATION)
    assert error.value.code == "not_dismissed"
    page = client.get(
        reverse("reviews:appeal-notice", args=[report_appeal_token(report)]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Only a dismissed report can be contested." in page.content.decode()
    assert nothing_stored()


@pytest.mark.req("DSA-17", "DSA-18", "DSA-19", "DSA-20")
def test_another_moderator_reverses_it_the_review_is_removed_and_the_notifier_told(
    dismissed, moderator
):
    # given: the notifier's appeal
    token = link_in_outcome_email().rstrip("/").rsplit("/", 1)[1]
    with TestCase.captureOnCommitCallbacks(execute=True):
        filed = file_notice_appeal(token=token, explanation=EXPLANATION)
    item = item_of(appeal=filed)
    # then: the first decider is neither offered it nor allowed to decide it
    assert item not in list_queue(moderator=moderator)
    with pytest.raises(PermissionDeniedError) as error:
        decide(item, moderator, "reverse", rule_code="defamation", reasons=REASONS)
    assert error.value.code == "own_decision"
    # when: another moderator reverses the dismissal
    mail.outbox.clear()
    other = another_moderator()
    assert item in list_queue(moderator=other)
    decide(item, other, "reverse", rule_code="defamation", reasons=REASONS)
    # then: the review is removed
    review = Review.objects.get(pk=int(dismissed.submission.object_id))
    assert (review.status, review.rule_code) == (Review.Status.REMOVED, "defamation")
    filed.refresh_from_db()
    assert (filed.status, filed.decided_by) == ("reversed", other)
    assert filed.outcome_notified_at is not None
    # and the notifier is told, at their notice's address, in its language (French)
    [told] = [m for m in mail.outbox if m.to == ["jeanne.martin@example.net"]]
    assert told.body.startswith("Bonjour Jeanne Martin,")
    assert f"\n{REASONS}\n" in told.body
    assert ODS_BODIES_URL in told.body


def test_an_appeal_has_an_account_or_an_address(dismissed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            submission=dismissed.submission,
            report=dismissed,
            explanation=EXPLANATION,
            created_at=timezone.now(),
        )
