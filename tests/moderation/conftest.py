import datetime
import itertools

import pytest
from django.utils import timezone

from moderation.registry import _handlers, register_kind
from moderation.services import submit_for_moderation

_ids = itertools.count(1)


class FakeHandler:
    """A kind of content the engine knows nothing about but its handler."""

    def __init__(self) -> None:
        self.applied: list[tuple[str, str, str]] = []

    def apply_decision(self, *, object_id, decision):
        self.applied.append((object_id, decision.outcome, decision.rule_code))


@pytest.fixture
def fake_kind():
    handler = FakeHandler()
    register_kind("fake", handler)
    yield handler
    _handlers.pop("fake", None)


TEXT = (
    "Livraison rapide et produit conforme à la description, emballage soigné. "
    "Le service client a répondu en une heure à ma question sur la garantie."
)


@pytest.fixture
def submission(fake_kind, brand, customer):
    """Hand the engine a fake-kind submission; returns a function taking overrides."""

    def make(**overrides):
        fields = {
            "kind": "fake",
            "object_id": str(next(_ids)),
            "author": customer,
            "brand": brand,
            "place": None,
            "rating": 4,
            "language": "fr",
            "title": "Bonne expérience",
            "text": TEXT,
            "submitted_at": timezone.now() - datetime.timedelta(minutes=1),
            "network_hash": "",
            "device_hash": "",
        }
        fields.update(overrides)
        return submit_for_moderation(**fields)

    return make


@pytest.fixture
def send_to_human():
    """Put a pending submission in the moderators' queue, as the pipeline does when it sends
    it to a human; returns its review work item."""
    from django.db import transaction

    from moderation.models import Submission, WorkItem
    from moderation.services import _open_work_item

    def send(sub):
        with transaction.atomic():
            Submission.objects.filter(pk=sub.pk).update(state=Submission.State.IN_REVIEW)
            sub.refresh_from_db()
            return _open_work_item(
                kind=WorkItem.Kind.REVIEW, submission=sub, due_at=sub.submitted_at
            )

    return send
