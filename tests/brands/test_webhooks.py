"""A brand's webhooks (issue 6, integrations): signed events to a real HTTP receiver, retries,
once per idempotency key, no personal data, and who manages them."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from brands.models import WebhookDelivery, WebhookEndpoint
from brands.tasks import deliver_webhook_task, deliver_webhooks_due_task
from brands.webhooks import create_webhook_endpoint
from config.celery_app import app
from tests.brands.invitations_support import ROLES, make_actor
from tests.reviews.publishing import submit_and_decide
from tests.reviews.replying import reply

EVENTS = ["review.published", "review.removed", "reply.published"]


class Receiver:
    """An HTTP server on 127.0.0.1 that answers the next status of `answers` (200 after)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/voix"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOCALHOST = True
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def endpoint(brand, brand_owner, receiver):
    return create_webhook_endpoint(brand=brand, actor=brand_owner, url=receiver.url, events=EVENTS)


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (docs/api.md): recompute the HMAC over "<t>.<body>"."""
    fields = dict(part.split("=", 1) for part in headers["Voix-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


# EVENTS, SIGNED, THROUGH THE PIPELINE
# ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_published_review_is_sent_signed_without_personal_data(
    brand, moderator, endpoint, receiver, customer
):
    # When a review of the brand is published by the pipeline
    review = submit_and_decide(
        brand=brand,
        moderator=moderator,
        author=customer,
        client_ip="203.0.113.77",
        user_agent="SecretBrowser/9",
    )

    # Then the receiver got one signed review.published event
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert verify(endpoint.secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    delivery = WebhookDelivery.objects.get()
    assert headers["Voix-Event"] == "review.published"
    assert headers["Voix-Delivery"] == delivery.idempotency_key
    assert delivery.idempotency_key == f"review.published:review:{review.pk}:{review.decision_id}"
    payload = json.loads(body)
    assert payload["event"] == "review.published"
    data = payload["data"]["review"]
    assert (data["id"], data["brand"], data["rating"], data["title"]) == (
        review.pk,
        brand.slug,
        review.rating,
        review.title,
    )
    assert data["url"].endswith(f"/{review.pk}/") or str(review.pk) in data["url"]
    # ...with nothing about its author: no email, network, account
    for secret_value in (customer.email, customer.pseudonym, "203.0.113", "SecretBrowser"):
        assert secret_value not in body.decode()
    assert "author" not in data
    # ...and the delivery is logged as delivered
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None


@pytest.mark.django_db
def test_a_published_reply_is_sent(brand, moderator, endpoint, receiver, brand_agent):
    review = submit_and_decide(brand=brand, moderator=moderator)
    version = reply(review, brand_agent)
    assert version.status == "published"

    events = [h["Voix-Event"] for h, _ in receiver.requests]
    assert events == ["review.published", "reply.published"]
    headers, body = receiver.requests[1]
    assert verify(endpoint.secret, headers, body)
    data = json.loads(body)["data"]["reply"]
    assert (data["review_id"], data["version"], data["text"]) == (review.pk, 1, version.text)
    assert brand_agent.email not in body.decode()


@pytest.mark.django_db
def test_only_subscribed_active_endpoints_of_the_brand_get_events(
    brand, brand_owner, moderator, receiver
):
    create_webhook_endpoint(
        brand=brand, actor=brand_owner, url=receiver.url, events=["reply.published"]
    )
    disabled = create_webhook_endpoint(
        brand=brand, actor=brand_owner, url=receiver.url, events=EVENTS
    )
    client = APIClient()
    client.force_authenticate(brand_owner)
    client.post(f"/api/v1/brands/{brand.slug}/webhooks/{disabled.pk}/disable/")

    submit_and_decide(brand=brand, moderator=moderator)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_the_brand_knows_which_events_its_active_webhooks_want(brand, brand_owner):
    # given / when: two endpoints, then the wider one disabled
    create_webhook_endpoint(
        brand=brand, actor=brand_owner, url="https://crm.dupain.fr/a", events=["reply.published"]
    )
    wider = create_webhook_endpoint(
        brand=brand, actor=brand_owner, url="https://crm.dupain.fr/b", events=EVENTS
    )
    brand.refresh_from_db()
    assert brand.webhook_events == sorted(EVENTS)
    client = APIClient()
    client.force_authenticate(brand_owner)
    client.post(f"/api/v1/brands/{brand.slug}/webhooks/{wider.pk}/disable/")
    # then
    brand.refresh_from_db()
    assert brand.webhook_events == ["reply.published"]


@pytest.mark.django_db
def test_a_decision_for_a_brand_without_webhooks_looks_none_up(brand, moderator):
    # given: a brand without webhooks
    # when: the pipeline publishes a review of it
    with CaptureQueriesContext(connection) as queries:
        review = submit_and_decide(brand=brand, moderator=moderator)
    # then: published, and no query read the webhook endpoints
    assert review.status == "published"
    assert not [q for q in queries.captured_queries if "brands_webhookendpoint" in q["sql"]]


# RETRIES AND IDEMPOTENCY
# ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_500_is_retried_with_backoff_then_delivered(brand, moderator, endpoint, receiver):
    # Given a receiver that fails once
    receiver.answers = [500]
    submit_and_decide(brand=brand, moderator=moderator)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at is not None

    # When the periodic task runs before the retry is due, nothing is sent
    assert deliver_webhooks_due_task() == 0
    assert len(receiver.requests) == 1

    # Then once due (1 minute later), it is sent again with the same key, and delivered
    with time_machine.travel(delivery.next_attempt_at + datetime.timedelta(seconds=1)):
        assert deliver_webhooks_due_task() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        "delivered",
        2,
        200,
    )
    keys = [h["Voix-Delivery"] for h, _ in receiver.requests]
    assert keys == [delivery.idempotency_key] * 2


@pytest.mark.django_db
def test_the_backoff_doubles_and_gives_up_after_the_last_attempt(
    brand, moderator, endpoint, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [503, 502, 500]
    submit_and_decide(brand=brand, moderator=moderator)
    delivery = WebhookDelivery.objects.get()
    waits = []
    for _ in range(2):
        waits.append(delivery.next_attempt_at - timezone.now())
        with time_machine.travel(delivery.next_attempt_at + datetime.timedelta(seconds=1)):
            deliver_webhooks_due_task()
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 3, 500)
    assert delivery.next_attempt_at is None
    assert round(waits[0].total_seconds() / 60) == 1
    assert len(receiver.requests) == 3


@pytest.mark.django_db
def test_a_4xx_is_not_retried(brand, moderator, endpoint, receiver):
    receiver.answers = [410]
    submit_and_decide(brand=brand, moderator=moderator)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, 410)


@pytest.mark.django_db
def test_a_network_error_is_retried(brand, brand_owner, moderator, settings):
    settings.WEBHOOK_ALLOW_LOCALHOST = True
    create_webhook_endpoint(
        brand=brand, actor=brand_owner, url="http://127.0.0.1:9/closed", events=EVENTS
    )
    submit_and_decide(brand=brand, moderator=moderator)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, None)
    assert delivery.last_error


@pytest.mark.django_db
def test_the_task_run_twice_sends_once(brand, moderator, endpoint, receiver):
    submit_and_decide(brand=brand, moderator=moderator)
    delivery = WebhookDelivery.objects.get()

    assert deliver_webhook_task(delivery_id=delivery.pk) is None
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=5)):
        assert deliver_webhook_task(delivery_id=delivery.pk) is None
        assert deliver_webhooks_due_task() == 0

    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_an_event_emitted_twice_makes_one_delivery(brand, moderator, endpoint, receiver):
    from reviews.webhook_events import emit_review_event

    review = submit_and_decide(brand=brand, moderator=moderator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        emit_review_event(review=review, decision_id=review.decision_id)

    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_delivery_tasks_go_to_the_webhooks_queue():
    for name in ("brands.tasks.deliver_webhook_task", "brands.tasks.deliver_webhooks_due_task"):
        assert app.amqp.router.route({}, name)["queue"].name == "webhooks"


# ENDPOINTS: who manages them, which addresses
# ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_managers_manage_webhooks_and_read_the_log(role, brand, brand_owner):
    existing = create_webhook_endpoint(
        brand=brand, actor=brand_owner, url="https://crm.dupain.fr/hooks", events=EVENTS
    )
    client = APIClient()
    actor = make_actor(role, brand)
    if actor is not None:
        client.force_authenticate(actor)
    base = f"/api/v1/brands/{brand.slug}/webhooks/"

    listed = client.get(base)
    created = client.post(
        base, {"url": "https://erp.dupain.fr/in", "events": ["review.published"]}, format="json"
    )
    log = client.get(f"{base}deliveries/")
    disabled = client.post(f"{base}{existing.pk}/disable/")

    codes = (listed.status_code, created.status_code, log.status_code, disabled.status_code)
    existing.refresh_from_db()
    if role in ("owner", "manager"):
        assert codes == (200, 201, 200, 200)
        assert created.json()["secret"].startswith("whsec_")
        assert "secret" not in listed.json()[0]
        assert not existing.active
    else:
        assert codes == (403, 403, 403, 403)
        assert WebhookEndpoint.objects.count() == 1
        assert existing.active


@pytest.mark.django_db
def test_creating_and_disabling_a_webhook_is_audited(brand, brand_owner):
    endpoint = create_webhook_endpoint(
        brand=brand, actor=brand_owner, url="https://crm.dupain.fr/hooks", events=EVENTS
    )
    client = APIClient()
    client.force_authenticate(brand_owner)
    client.post(f"/api/v1/brands/{brand.slug}/webhooks/{endpoint.pk}/disable/")

    events = AuditEvent.objects.filter(object_type="brands.webhookendpoint")
    assert [(e.action, e.actor_id) for e in events] == [
        ("webhook_endpoint_created", brand_owner.pk),
        ("webhook_endpoint_disabled", brand_owner.pk),
    ]
    assert endpoint.secret not in str([e.details for e in events])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "allow_local", "ok"),
    [
        ("https://crm.dupain.fr/hooks", False, True),
        ("http://crm.dupain.fr/hooks", False, False),
        ("http://127.0.0.1:8000/hooks", False, False),
        ("http://localhost/hooks", True, True),
        ("https://10.0.0.5/hooks", False, False),
        ("https://169.254.169.254/latest", False, False),
        ("ftp://crm.dupain.fr/", False, False),
        ("https://user:pw@crm.dupain.fr/", False, False),
    ],
)
def test_webhook_addresses_are_https_or_local_when_allowed(
    brand, brand_owner, settings, url, allow_local, ok
):
    settings.WEBHOOK_ALLOW_LOCALHOST = allow_local
    client = APIClient()
    client.force_authenticate(brand_owner)
    response = client.post(
        f"/api/v1/brands/{brand.slug}/webhooks/",
        {"url": url, "events": ["review.published"]},
        format="json",
    )
    assert response.status_code == (201 if ok else 400)
    assert WebhookEndpoint.objects.count() == (1 if ok else 0)


@pytest.mark.django_db
def test_the_delivery_log_lists_the_last_deliveries_in_one_query(
    brand, brand_owner, moderator, endpoint, receiver, django_assert_num_queries
):
    receiver.answers = [500]
    for _ in range(3):
        submit_and_decide(brand=brand, moderator=moderator)
    client = APIClient()
    client.force_authenticate(brand_owner)

    # session user, membership check, the brand, the deliveries
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/brands/{brand.slug}/webhooks/deliveries/")

    rows = response.json()
    assert [(r["status"], r["response_status"]) for r in rows] == [
        ("delivered", 200),
        ("delivered", 200),
        ("pending", 500),
    ]
    assert "payload" not in rows[0]
