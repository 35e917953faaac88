from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from audit.models import AuditEvent
from audit.services import compute_event_hash


def list_events_for(*, target: models.Model) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=target._meta.label_lower, object_id=str(target.pk)
    ).order_by("id")


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def find_chain_break(*, chunk_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in id order; return (events checked, first break or None)."""
    checked = 0
    previous_hash = ""
    for event in _iterate(chunk_size):
        if event.prev_hash != previous_hash:
            return checked, ChainBreak(event.pk, "prev_hash does not match the previous event")
        if event.hash != compute_event_hash(event):
            return checked, ChainBreak(event.pk, "hash does not match the event's content")
        previous_hash = event.hash
        checked += 1
    return checked, None


def _iterate(chunk_size: int) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size)
