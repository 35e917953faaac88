"""A brand's webhooks (issue 6, integrations): its systems are told when one of its reviews is
published or removed, and when its reply is published.

    emit (in the transaction of the change) ──commit──> deliver_webhook_task
    pending ──2xx──> delivered
    pending ──network error or 5xx──> pending, retried after WEBHOOK_RETRY_BASE * 2**(n-1)
    pending ──4xx, or the WEBHOOK_MAX_ATTEMPTS-th failure──> failed

- A delivery is a row written with the change itself (reviews.webhook_events builds the
  payloads and calls `emit_brand_event`): nothing is sent for a change rolled back, and
  nothing is lost when the broker is down (the periodic `deliver_due_webhooks_task` sends rows
  still due).
- One row per endpoint and idempotency key (<event>:<object>:<id>:<decision>); the key is sent
  as `Voix-Delivery`. An attempt first claims the row for WEBHOOK_TIMEOUT_SECONDS + a margin,
  so two workers never send it at once; a worker lost after sending sends it again: receivers
  ignore a `Voix-Delivery` they have seen.
- The body is signed: `Voix-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
  with the endpoint's secret.
- Payloads carry what the public page shows of a review or reply, never a reviewer's email,
  address, network or account.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from brands.integrations import ensure_can_manage_integrations
from brands.models import Brand, WebhookDelivery, WebhookEndpoint
from config.errors import ApplicationError, NotFoundError

Event = WebhookEndpoint.Event
DELIVERY_LOG_SIZE = 100
USER_AGENT = "Voix-Webhooks/1"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


# ENDPOINTS
# ------------------------------------------------------------------------------


def _is_internal(host: str) -> bool:
    """A local name or a private, loopback or link-local address literal."""
    if host in LOCAL_HOSTS or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def check_endpoint_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    local_allowed = settings.DEBUG or settings.WEBHOOK_ALLOW_LOCALHOST
    if not parts.hostname or parts.username or parts.password:
        ok = False
    elif parts.scheme == "https":
        ok = not _is_internal(parts.hostname) or local_allowed
    elif parts.scheme == "http":
        ok = parts.hostname in LOCAL_HOSTS and local_allowed
    else:
        ok = False
    if not ok or len(url) > 500:
        raise ApplicationError(
            _("The address must be an https:// URL."), field="url", code="invalid_url"
        )
    return url


@transaction.atomic
def create_webhook_endpoint(
    *, brand: Brand, actor: User, url: str, events: Iterable[str]
) -> WebhookEndpoint:
    """A new endpoint with a random secret, shown to the brand once (in the response)."""
    ensure_can_manage_integrations(user=actor, brand=brand)
    url = check_endpoint_url(url)
    wanted = sorted(set(events))
    if not wanted or any(e not in Event.values for e in wanted):
        raise ApplicationError(
            _("Choose one or more events among: %(events)s.") % {"events": ", ".join(Event.values)},
            field="events",
            code="invalid_event",
        )
    active = WebhookEndpoint.objects.filter(brand=brand, active=True).count()
    if active >= settings.WEBHOOK_MAX_ENDPOINTS:
        raise ApplicationError(
            _("This brand has %(max)d active webhooks: disable one first.")
            % {"max": settings.WEBHOOK_MAX_ENDPOINTS},
            code="too_many_webhooks",
        )
    endpoint = WebhookEndpoint.objects.create(
        brand=brand,
        url=url,
        secret=f"whsec_{secrets.token_hex(24)}",
        events=wanted,
        created_at=timezone.now(),
        created_by=actor,
    )
    _refresh_webhook_events(brand)
    record_event(
        actor=actor,
        action=AuditEvent.Action.WEBHOOK_ENDPOINT_CREATED,
        target=endpoint,
        details={"brand_id": brand.pk, "url": url, "events": wanted},
    )
    return endpoint


def _refresh_webhook_events(brand: Brand) -> None:
    """Brand.webhook_events from the brand's active endpoints, in the caller's transaction."""
    wanted: set[str] = set()
    for events in WebhookEndpoint.objects.filter(brand=brand, active=True).values_list(
        "events", flat=True
    ):
        wanted.update(events)
    brand.webhook_events = sorted(wanted)
    Brand.objects.filter(pk=brand.pk).update(webhook_events=brand.webhook_events)


@transaction.atomic
def disable_webhook_endpoint(*, brand: Brand, endpoint_id: int, actor: User) -> WebhookEndpoint:
    """No more events for it; deliveries still pending are not sent (they fail)."""
    ensure_can_manage_integrations(user=actor, brand=brand)
    endpoint = (
        WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, brand=brand).first()
    )
    if endpoint is None:
        raise NotFoundError(_("This webhook does not exist."))
    if not endpoint.active:
        return endpoint
    endpoint.active = False
    endpoint.save(update_fields=["active"])
    _refresh_webhook_events(brand)
    record_event(
        actor=actor,
        action=AuditEvent.Action.WEBHOOK_ENDPOINT_DISABLED,
        target=endpoint,
        details={"brand_id": brand.pk, "url": endpoint.url},
    )
    return endpoint


def list_webhook_endpoints(*, brand_id: int) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(brand_id=brand_id).defer("secret")


def list_webhook_deliveries(*, brand_id: int) -> list[WebhookDelivery]:
    """The brand's last DELIVERY_LOG_SIZE deliveries, newest first: one query."""
    return list(
        WebhookDelivery.objects.filter(endpoint__brand_id=brand_id)
        .select_related("endpoint")
        .defer("payload", "endpoint__secret")
        .order_by("-created_at", "-pk")[:DELIVERY_LOG_SIZE]
    )


# EVENTS (called inside the transaction of the change)
# ------------------------------------------------------------------------------


def emit_brand_event(
    *,
    brand_id: int,
    event: str,
    object_key: str,
    payload: dict[str, Any] | Callable[[], dict[str, Any]],
    brand: Brand | None = None,
) -> list[WebhookDelivery]:
    """One delivery per active endpoint of the brand subscribed to `event`, sent after commit.
    `object_key` (<object type>:<id>:<version>) names the change: emitting it again (the same
    decision applied twice) adds nothing. `payload` may be a function, called only when an
    endpoint wants the event. With the `brand` already loaded, a brand whose webhooks do not
    want the event costs no query (Brand.webhook_events)."""
    if brand is not None and event not in brand.webhook_events:
        return []
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(brand_id=brand_id, active=True).only("pk", "events")
        if event in e.events
    ]
    if not endpoints:
        return []
    key = f"{event}:{object_key}"
    now = timezone.now()
    data = payload() if callable(payload) else payload
    body = {"event": event, "created_at": now, "data": data}
    # JSON as stored: dates become strings once, here.
    body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    existing = set(
        WebhookDelivery.objects.filter(endpoint__in=endpoints, idempotency_key=key).values_list(
            "endpoint_id", flat=True
        )
    )
    created = [
        WebhookDelivery.objects.create(
            endpoint=e,
            event=event,
            payload={**body, "delivery": key},
            idempotency_key=key,
            created_at=now,
            next_attempt_at=now,
        )
        for e in endpoints
        if e.pk not in existing
    ]
    from brands.tasks import deliver_webhook_task

    for delivery in created:
        transaction.on_commit(partial(deliver_webhook_task.delay, delivery_id=delivery.pk))
    return created


# DELIVERY (brands.tasks)
# ------------------------------------------------------------------------------


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def retry_delay(attempt: int) -> Any:
    return settings.WEBHOOK_RETRY_BASE * 2 ** (attempt - 1)


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take the delivery for one attempt if it is due: no other worker sends it meanwhile."""
    lease = (
        now + settings.WEBHOOK_RETRY_BASE / 2 + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS)
    )
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = "endpoint disabled"
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = lease
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an address to follow: the endpoint's URL was checked, the
    one it redirects to was not."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """(HTTP status or None, error) of one POST."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310 (an https URL, checked at creation)
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Voix-Event": delivery.event,
            "Voix-Delivery": delivery.idempotency_key,
            "Voix-Signature": sign(
                secret=delivery.endpoint.secret, timestamp=int(time.time()), body=body
            ),
        },
    )
    try:
        # An endpoint is an https URL checked at creation (or a local one in development).
        with _OPENER.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:  # URLError, timeouts, refused connections
        return None, str(error)[:500] or error.__class__.__name__


def deliver_webhook(*, delivery_id: int) -> str | None:
    """One attempt at a due delivery; returns its status afterwards, None if not due."""
    delivery = _claim(delivery_id, timezone.now())
    if delivery is None:
        return None
    code, error = _post(delivery)
    now = timezone.now()
    delivery.response_status = code
    delivery.last_error = error
    fields = ["response_status", "last_error", "status", "next_attempt_at", "delivered_at"]
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif (code is None or code >= 500) and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    else:  # refused by the receiver (3xx, 4xx), or the last attempt
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    delivery.save(update_fields=fields)
    return delivery.status


def list_due_delivery_ids(*, limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
