"""The only writer of the audit trail.

Each event's hash is SHA-256 over the previous event's hash and the event's canonical JSON.
Appends are serialised (a PostgreSQL advisory lock held until commit; SQLite serialises writers
itself), so the chain never forks.
"""

import hashlib
import json
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from audit.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

AUDIT_CHAIN_LOCK_ID = 740_001  # any fixed number, used only here
HASHED_FIELDS = (
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "from_status",
    "to_status",
    "rule_code",
    "details",
    "created_at",
)


def record_event(
    *,
    actor: "AbstractBaseUser | None",
    action: str,
    target: models.Model,
    from_status: str = "",
    to_status: str = "",
    rule_code: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    `actor` is None for the system (the pipeline, a periodic job). `details` must be JSON.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record_event() must run inside the service's transaction")
    event = AuditEvent(
        actor_id=actor.pk if actor is not None else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        from_status=from_status,
        to_status=to_status,
        rule_code=rule_code,
        # Round-trip through JSON so the stored value and the hashed value are identical.
        details=json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder)),
        # Microseconds dropped: every database stores and returns the same value.
        created_at=timezone.now().replace(microsecond=0),
        prev_hash=_lock_chain_and_read_last_hash(),
    )
    event.hash = compute_event_hash(event)
    event.save(force_insert=True)
    return event


def _lock_chain_and_read_last_hash() -> str:
    if connection.vendor != "postgresql":  # SQLite serialises writers itself
        return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
    with connection.cursor() as cursor:
        # One round trip, two statements: the lock (held until commit), then the read, whose
        # snapshot is taken after the lock is granted, so it sees the chain's true last event.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s); "
            "SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1",
            [AUDIT_CHAIN_LOCK_ID],
        )
        cursor.nextset()
        row = cursor.fetchone()
    return row[0] if row else ""


def canonical_event_json(event: AuditEvent) -> str:
    """The exact text that is hashed: documented so anyone can recompute a hash."""
    body = {field: getattr(event, field) for field in HASHED_FIELDS}
    body["created_at"] = event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )


def compute_event_hash(event: AuditEvent) -> str:
    return hashlib.sha256((event.prev_hash + canonical_event_json(event)).encode()).hexdigest()
