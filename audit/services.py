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
    # Round-trip through JSON so the stored value and the hashed value are identical.
    details_json = json.dumps(details or {}, cls=DjangoJSONEncoder)
    event = AuditEvent(
        actor_id=actor.pk if actor is not None else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        from_status=from_status,
        to_status=to_status,
        rule_code=rule_code,
        details=json.loads(details_json),
        # Microseconds dropped: every database stores and returns the same value.
        created_at=timezone.now().replace(microsecond=0),
    )
    if connection.vendor == "postgresql":
        _append_on_postgresql(event, details_json)
    else:  # SQLite serialises writers itself
        event.prev_hash = (
            AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
        )
        event.hash = compute_event_hash(event)
        event.save(force_insert=True)
    return event


def _append_on_postgresql(event: AuditEvent, details_json: str) -> None:
    """Lock the chain, read its last hash and insert the event in one round trip.

    Two statements: the lock (held until commit), then the insert, whose snapshot is taken
    after the lock is granted, so it chains onto the chain's true last event. The insert
    computes the hash as `compute_event_hash` does (SHA-256 of the previous hash followed by
    the canonical JSON, in UTF-8, as lower-case hex); `verify_audit_trail` recomputes it in
    Python. Built by hand rather than through the ORM: this runs twice for every moderated
    review, and building the INSERT cost the worker more than running it cost PostgreSQL.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s); "
            'INSERT INTO "audit_auditevent" ("actor_id", "action", "object_type", "object_id", '
            '"from_status", "to_status", "rule_code", "details", "created_at", "prev_hash", '
            '"hash") SELECT %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, chain.head, '
            "encode(sha256(convert_to(chain.head || %s, 'UTF8')), 'hex') "
            'FROM (SELECT coalesce((SELECT "hash" FROM "audit_auditevent" ORDER BY "id" DESC '
            "LIMIT 1), '') AS head) AS chain "
            'RETURNING "id", "prev_hash", "hash"',
            [
                AUDIT_CHAIN_LOCK_ID,
                event.actor_id,
                event.action,
                event.object_type,
                event.object_id,
                event.from_status,
                event.to_status,
                event.rule_code,
                details_json,
                event.created_at,
                canonical_event_json(event),
            ],
        )
        cursor.nextset()
        event.pk, event.prev_hash, event.hash = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


def canonical_event_json(event: AuditEvent) -> str:
    """The exact text that is hashed: documented so anyone can recompute a hash."""
    body = {field: getattr(event, field) for field in HASHED_FIELDS}
    body["created_at"] = event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )


def compute_event_hash(event: AuditEvent) -> str:
    return hashlib.sha256((event.prev_hash + canonical_event_json(event)).encode()).hexdigest()
