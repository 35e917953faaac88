"""Two moderators deciding one item at the same instant, on real PostgreSQL: the item's row
lock lets exactly one decide; the other gets a conflict, and nothing is recorded twice."""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from moderation.models import Decision, WorkItem
from tests.factories import UserFactory
from tests.moderation.workspace import review_for_moderator


def _race(users, path, payloads):
    """POST each payload as its user from its own thread (its own database connection), all
    released together by a barrier; returns the status codes in the users' order."""
    barrier = threading.Barrier(len(users))
    codes: list[int | None] = [None] * len(users)
    errors: list[BaseException] = []

    def decide(index):
        api = APIClient()
        api.force_authenticate(users[index])
        try:
            barrier.wait(timeout=10)
            codes[index] = api.post(path, payloads[index], format="json").status_code
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return codes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moderators_racing_to_decide_one_item_only_one_decides(brand):
    # given: an open, unclaimed item and two moderators
    review, item = review_for_moderator(brand=brand)
    first = UserFactory(role="moderator", moderation_languages=["fr"])
    second = UserFactory(role="moderator", moderation_languages=["fr"])
    path = reverse("api-moderation-item-decide", args=[item.pk])
    # when: one publishes, the other rejects, at the same instant
    codes = _race(
        [first, second],
        path,
        [{"action": "publish"}, {"action": "reject", "rule_code": "insult"}],
    )
    # then
    assert sorted(codes) == [200, 409]
    human = Decision.objects.filter(submission=item.submission, decided_by__isnull=False)
    assert human.count() == 1
    winner = first if codes[0] == 200 else second
    assert human.get().decided_by == winner
    closed = AuditEvent.objects.filter(
        action=AuditEvent.Action.WORK_ITEM_CLOSED, object_id=str(item.pk)
    )
    assert [event.actor for event in closed] == [winner]
    decided = AuditEvent.objects.filter(
        action=AuditEvent.Action.MODERATION_DECIDED, actor__isnull=False
    )
    assert decided.count() == 1
    item.refresh_from_db()
    assert (item.state, item.closed_by) == (WorkItem.State.DONE, winner)
