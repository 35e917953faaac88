"""The mechanisms the fault scenarios rely on, without services: emails sent once per key, a
broker that is down does not fail a submission, fault points are inert unless armed."""

import logging
import threading
import time

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import SentEmail
from config.celery_app import app
from config.emails import message_id, send_email_once, send_html_email
from config.faults import fault_point
from moderation.models import Decision, Submission
from reviews.models import Review
from reviews.tasks import notify_review_decision_task
from tests.faults.conftest import _point_app_at, free_port, review_payload


@pytest.mark.django_db
def test_an_email_is_sent_once_per_key_with_a_message_id_derived_from_it():
    # given
    def message() -> EmailMessage:
        return EmailMessage("Sujet", "Corps", None, ["claire@example.org"])

    # when the same email is sent twice, and another once
    first = send_email_once(message(), key="review-decision:1:2")
    again = send_email_once(message(), key="review-decision:1:2")
    other = send_html_email(
        subject="Autre", html="<p>Autre</p>", to="claire@example.org", key="reply-published:3"
    )
    # then two emails left, each with the Message-ID of its key
    assert (first, again, other) == (True, False, True)
    assert [m.subject for m in mail.outbox] == ["Sujet", "Autre"]
    assert mail.outbox[0].extra_headers["Message-ID"] == message_id("review-decision:1:2")
    assert message_id("review-decision:1:2") != message_id("reply-published:3")
    assert message_id("x").endswith("@voix.example>")
    assert sorted(SentEmail.objects.values_list("key", flat=True)) == [
        "reply-published:3",
        "review-decision:1:2",
    ]


@pytest.mark.django_db
def test_a_decision_email_task_delivered_again_sends_nothing_even_before_its_mark(
    customer, brand, place, django_capture_on_commit_callbacks
):
    # given a review decided, its author emailed
    api = APIClient()
    api.force_authenticate(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(reverse("api-reviews"), review_payload(brand, place), format="json")
    review = Review.objects.get(pk=response.json()["id"])
    assert len(mail.outbox) == 1
    # when the task is delivered again, as if the worker had died before marking the review
    Review.objects.filter(pk=review.pk).update(notified_decision_id=None)
    notify_review_decision_task.delay(review_id=review.pk, decision_id=Decision.objects.get().pk)
    # then no second email
    assert len(mail.outbox) == 1


@pytest.fixture
def broker_down():
    """This process enqueues for real to a port where no broker listens."""
    previous = app.conf.broker_url
    _point_app_at(f"redis://127.0.0.1:{free_port()}/0", eager=False)
    yield
    _point_app_at(previous, eager=True)


@pytest.mark.django_db
def test_a_review_submitted_while_the_broker_is_down_is_stored_and_the_failure_logged(
    customer, brand, place, broker_down, caplog, django_capture_on_commit_callbacks
):
    # given
    api = APIClient()
    api.force_authenticate(customer)
    # when
    with (
        caplog.at_level(logging.ERROR, logger="config.celery_app"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api.post(reverse("api-reviews"), review_payload(brand, place), format="json")
    # then the review is stored, waiting for the sweeper
    assert response.status_code == 201
    assert Review.objects.get().status == "submitted"
    assert Submission.objects.get().state == Submission.State.PENDING
    [record] = caplog.records
    assert record.getMessage().startswith(
        "Broker unreachable: moderation.tasks.moderate_submission_task was not enqueued"
    )


def test_fault_points_are_inert_unless_armed(settings, tmp_path):
    # given no directory, then a directory where nothing is armed
    settings.FAULT_POINTS_DIR = ""
    fault_point("moderation-before-commit")
    settings.FAULT_POINTS_DIR = str(tmp_path)
    fault_point("moderation-before-commit")
    assert list(tmp_path.iterdir()) == []
    # when a point is armed, the first passage stops there until released, the next does not
    (tmp_path / "email-send.hold").touch()
    held = tmp_path / "email-send.held"
    stopped = threading.Thread(target=fault_point, args=("email-send",))
    stopped.start()
    while not (held.exists() and held.read_text()):
        time.sleep(0.01)
    assert stopped.is_alive()
    held.unlink()
    stopped.join(timeout=5)
    # then
    assert not stopped.is_alive()
    fault_point("email-send")  # not armed any more: goes through
    assert list(tmp_path.iterdir()) == []
