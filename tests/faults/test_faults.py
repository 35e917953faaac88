"""Faults (issue 8): a worker killed while moderating, Redis stopped while reviews are
submitted, a broker message lost, a database connection dropped mid-task, a stuck mail server.
Each scenario runs real worker processes on a Redis server of its own (tests/faults/conftest.py)
and ends with the audit chain and the rating counters checked.
"""

import logging
import os
import signal

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import SentEmail
from audit.models import AuditEvent
from brands.models import WebhookDelivery
from brands.webhooks import create_webhook_endpoint
from moderation.models import Decision, Submission
from moderation.tasks import sweep_undecided_submissions_task
from reviews.models import Review
from reviews.tasks import notify_review_decision_task
from tests.brands.test_webhooks import Receiver
from tests.conftest import wait_until
from tests.factories import BrandFactory, MembershipFactory, PlaceFactory, UserFactory
from tests.faults.conftest import (
    CLEAN_TEXT,
    OTHER_TEXT,
    as_if_forgotten,
    check_invariants,
    review_payload,
    submit_by_api,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.timeout(120),
]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOCALHOST = True
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def shop(receiver):
    """A brand with a place and a webhook endpoint on a real HTTP receiver."""
    brand = BrandFactory(name="Vélos Rapides")
    owner = MembershipFactory(brand=brand, role="owner").user
    create_webhook_endpoint(brand=brand, actor=owner, url=receiver.url, events=["review.published"])
    return brand, PlaceFactory(brand=brand)


def assert_decided_once(scenario, receiver, review_id: int, email: str) -> None:
    """One decision, one audit event of it, one email, one webhook delivery received once."""
    review = Review.objects.get(pk=review_id)
    assert review.status == "published"
    submission = Submission.objects.get(kind="review", object_id=str(review_id))
    assert Decision.objects.filter(submission=submission).count() == 1
    decided = AuditEvent.objects.filter(
        action=AuditEvent.Action.MODERATION_DECIDED, object_id=str(submission.pk)
    )
    assert decided.count() == 1
    assert len(scenario.emails_to(email)) == 1
    assert SentEmail.objects.filter(key__startswith=f"review-decision:{review_id}:").count() == 1
    [delivery] = WebhookDelivery.objects.filter(idempotency_key__contains=f"review:{review_id}:")
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    keys = [headers["Voix-Delivery"] for headers, _ in receiver.requests]
    assert keys == [delivery.idempotency_key]


# A WORKER KILLED WHILE MODERATING
# ------------------------------------------------------------------------------


@pytest.mark.req("NF-MOD-2", "NF-RES-4")
def test_a_pool_process_killed_inside_the_decision_transaction_decides_once(
    scenario, shop, receiver
):
    # given a worker that will stop inside the transaction that records the decision
    brand, place = shop
    author = UserFactory(email="claire@example.org")
    scenario.start_worker()
    scenario.points.arm("moderation-before-commit")
    # when a review is submitted and the process deciding it is killed (SIGKILL) there
    review_id = submit_by_api(author, brand, place)
    pid = scenario.points.wait_held("moderation-before-commit")
    assert Decision.objects.count() == 0  # written, not committed
    os.kill(pid, signal.SIGKILL)
    # then the worker gives the message back (reject_on_worker_lost) and a new pool process
    # decides the review, once, with one email and one webhook delivery
    wait_until(lambda: Review.objects.get(pk=review_id).status != "submitted")
    wait_until(lambda: scenario.emails_to("claire@example.org") and receiver.requests)
    scenario.settle()
    assert "WorkerLostError" in scenario.worker_logs()
    assert_decided_once(scenario, receiver, review_id, "claire@example.org")
    check_invariants()


@pytest.mark.req("NF-MOD-2", "NF-RES-4")
def test_a_worker_killed_after_the_commit_and_restarted_decides_once(scenario, shop, receiver):
    # given a worker that will stop after the decision committed, before acknowledging it
    brand, place = shop
    author = UserFactory(email="claire@example.org")
    worker = scenario.start_worker()
    scenario.points.arm("moderation-after-commit")
    review_id = submit_by_api(author, brand, place)
    scenario.points.wait_held("moderation-after-commit")
    # when the whole worker is killed (SIGKILL: the machine is lost) and another one started
    worker.kill()
    # the moderation message is not acknowledged: still delivered, or already given back to
    # the queue once VOIX_BROKER_VISIBILITY_TIMEOUT passed
    redis = scenario.redis.client()
    assert redis.hlen("unacked") + redis.llen("moderation") == 1
    scenario.start_worker()
    # then the message comes back, finds the review decided and changes nothing; the email
    # and the webhook enqueued at the commit are sent once
    scenario.settle()
    wait_until(lambda: scenario.emails_to("claire@example.org") and receiver.requests)
    assert_decided_once(scenario, receiver, review_id, "claire@example.org")
    check_invariants()


def test_a_worker_killed_while_sending_an_email_sends_it_once_after_restart(scenario, shop):
    # given a decided review whose email a worker is about to hand to the mail server
    brand, place = shop
    author = UserFactory(email="claire@example.org")
    worker = scenario.start_worker()
    scenario.points.arm("email-send")
    review_id = submit_by_api(author, brand, place)
    scenario.points.wait_held("email-send")
    # when the worker is killed there and another one started
    worker.kill()
    scenario.start_worker()
    # then the email is sent once: the key's row was not committed, the message came back
    wait_until(lambda: scenario.emails_to("claire@example.org"))
    scenario.settle()
    assert len(scenario.emails_to("claire@example.org")) == 1
    assert SentEmail.objects.filter(key__startswith=f"review-decision:{review_id}:").count() == 1
    check_invariants()


def test_an_email_task_delivered_twice_at_once_sends_one_email(scenario, shop):
    # given a decided review, and two pool processes
    brand, place = shop
    author = UserFactory(email="claire@example.org")
    scenario.start_worker(concurrency=2)
    review_id = submit_by_api(author, brand, place)
    wait_until(lambda: scenario.emails_to("claire@example.org"))
    scenario.settle()
    review = Review.objects.get(pk=review_id)
    decision = Decision.objects.get()
    Review.objects.filter(pk=review_id).update(notified_decision_id=None)  # as before the mark
    SentEmail.objects.all().delete()  # as before the first send
    # when the same email task is delivered twice while the first holds the mail server
    scenario.points.arm("email-send")
    for _ in range(2):
        notify_review_decision_task.delay(review_id=review.pk, decision_id=decision.pk)
    scenario.points.wait_held("email-send")
    wait_until(waiting_on_a_lock)  # the second delivery, on the key's row
    scenario.points.release("email-send")
    # then one more email, not two: the second waited on the key's row, then found it
    scenario.settle()
    assert len(scenario.emails_to("claire@example.org")) == 2  # the first, and this one
    assert SentEmail.objects.count() == 1


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] == 1


# REDIS STOPPED, A MESSAGE LOST
# ------------------------------------------------------------------------------


@pytest.mark.req("NF-MOD-2", "NF-RES-4")
def test_reviews_submitted_while_redis_is_down_are_stored_then_decided_by_the_sweeper(
    scenario, shop, receiver, client, caplog
):
    # given a worker, then Redis stopped
    brand, place = shop
    api_author = UserFactory(email="api@example.org")
    web_author = UserFactory(email="web@example.org")
    scenario.start_worker()
    scenario.redis.stop()
    # when reviews are submitted by the API and the web form
    with caplog.at_level(logging.ERROR, logger="config.celery_app"):
        api_review = submit_by_api(api_author, brand, place)
        client.force_login(web_author)
        data = review_payload(brand, place, text=OTHER_TEXT) | {"attested": "on"}
        data.pop("brand")
        response = client.post(reverse("reviews:write", args=[brand.slug]), data)
    # then both succeed and are stored, waiting; the lost enqueues are logged
    assert response.status_code == 302
    web_review = Review.objects.get(author=web_author).pk
    assert Review.objects.filter(status="submitted").count() == 2
    assert [r.getMessage()[:48] for r in caplog.records] == [
        "Broker unreachable: moderation.tasks.moderate_su"
    ] * 2
    # when Redis returns and the sweeper (a beat task) runs once their delay has passed
    scenario.redis.start()
    as_if_forgotten()
    sweep_undecided_submissions_task.delay()
    # then the worker decides both, once
    wait_until(lambda: not Review.objects.filter(status="submitted").exists(), timeout=45)
    wait_until(lambda: len(receiver.requests) == 2)
    scenario.settle()
    assert Decision.objects.count() == 2
    for review_id, email in ((api_review, "api@example.org"), (web_review, "web@example.org")):
        assert Review.objects.get(pk=review_id).status == "published"
        assert len(wait_until(lambda e=email: scenario.emails_to(e))) == 1
    assert Submission.objects.filter(attempts=1).count() == 2  # each re-enqueued once
    check_invariants()


@pytest.mark.req("NF-MOD-2", "NF-RES-4")
def test_a_lost_broker_message_is_recovered_by_the_sweeper(scenario, shop, receiver):
    # given a review submitted while no worker runs
    brand, place = shop
    author = UserFactory(email="claire@example.org")
    review_id = submit_by_api(author, brand, place, text=CLEAN_TEXT)
    # when its message is lost outright (the queue purged), then a worker starts
    assert scenario.redis.client().delete("moderation") == 1
    scenario.start_worker()
    scenario.settle()
    assert Review.objects.get(pk=review_id).status == "submitted"  # nothing told it
    # and the sweeper runs once the review's delay has passed
    as_if_forgotten()
    sweep_undecided_submissions_task.delay()
    # then the review is decided, once
    wait_until(lambda: Review.objects.get(pk=review_id).status != "submitted")
    wait_until(lambda: scenario.emails_to("claire@example.org") and receiver.requests)
    scenario.settle()
    assert_decided_once(scenario, receiver, review_id, "claire@example.org")
    check_invariants()


# THE DATABASE CONNECTION DROPPED MID-TASK
# ------------------------------------------------------------------------------


@pytest.mark.req("NF-MOD-2", "NF-RES-4")
def test_a_database_connection_dropped_mid_task_is_retried(scenario, shop, receiver):
    # given a worker stopped inside the decision's transaction
    brand, place = shop
    author = UserFactory(email="claire@example.org")
    scenario.start_worker()
    scenario.points.arm("moderation-before-commit")
    review_id = submit_by_api(author, brand, place)
    scenario.points.wait_held("moderation-before-commit")
    # when its database connection is terminated, then the task goes on to commit
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'"
        )
        assert cursor.fetchall() == [(True,)]
    scenario.points.release("moderation-before-commit")
    # then the commit fails, the task is retried with a new connection and decides once
    wait_until(lambda: Review.objects.get(pk=review_id).status != "submitted")
    wait_until(lambda: scenario.emails_to("claire@example.org") and receiver.requests)
    scenario.settle()
    logs = scenario.worker_logs()
    assert "retry: Retry in" in logs
    assert "OperationalError" in logs
    assert_decided_once(scenario, receiver, review_id, "claire@example.org")
    check_invariants()


# SEPARATE QUEUES: A STUCK MAIL SERVER NEVER DELAYS MODERATION
# ------------------------------------------------------------------------------


@pytest.mark.req("NF-MOD-2", "NF-RES-4")
def test_a_stuck_mail_server_does_not_delay_moderation(scenario, shop):
    # given workers on separate queues, as docs/operations.md deploys them
    brand, place = shop
    scenario.start_worker(queues="moderation,webhooks")
    scenario.start_worker(queues="notifications")
    scenario.points.arm("email-send")
    first = submit_by_api(UserFactory(email="first@example.org"), brand, place)
    scenario.points.wait_held("email-send")  # the mail server answers no more
    # when another review is submitted
    second = submit_by_api(UserFactory(email="second@example.org"), brand, place, text=OTHER_TEXT)
    # then it is decided while the first email is still stuck
    wait_until(lambda: Review.objects.get(pk=second).status == "published", timeout=20)
    assert scenario.points.is_held("email-send")
    assert Review.objects.get(pk=first).status == "published"
    assert scenario.emails_to("first@example.org") == []
    # and once the mail server answers, both emails go
    scenario.points.release("email-send")
    wait_until(lambda: scenario.emails_to("second@example.org"))
    scenario.settle()
    assert len(scenario.emails_to("first@example.org")) == 1
    check_invariants()
