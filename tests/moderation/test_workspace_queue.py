"""The moderators' queue: order, filters, counts, who is offered what, claims and their lease,
the moderator's own throughput, and the cost of the page and the API."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from moderation.models import WorkItem
from moderation.selectors import get_moderator_throughput, list_queue
from moderation.services import claim_next_work_item, claim_work_item, decide_work_item
from tests.factories import BrandFactory, MembershipFactory, UserFactory
from tests.moderation.workspace import events, open_item

NOW = timezone.now()


def queue_ids(client, **params):
    response = client.get(reverse("moderation:queue"), params)
    assert response.status_code == 200
    return [int(n) for n in re.findall(r'href="/moderation/file/(\d+)/', response.content.decode())]


def in_english(user):
    """The interface in English (a logged-in user sees their own language)."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def three_items(submission):
    """A late item, an early one, and a trusted flagger's notice due last: the notice comes
    first, then the others by due time."""
    late = open_item(submission(), due_at=NOW + datetime.timedelta(days=3))
    early = open_item(submission(), due_at=NOW + datetime.timedelta(hours=2))
    trusted = open_item(
        submission(),
        kind=WorkItem.Kind.REPORT,
        priority=0,
        due_at=NOW + datetime.timedelta(days=5),
    )
    return late, early, trusted


@pytest.mark.req("DSA-22")
def test_trusted_flagger_notices_come_first_then_by_due_time(client, moderator, three_items):
    # given
    late, early, trusted = three_items
    client.force_login(moderator)
    # when
    ids = queue_ids(client)
    # then
    assert ids == [trusted.pk, early.pk, late.pk]
    api_ids = [
        row["id"]
        for row in api_for(moderator).get(reverse("api-moderation-queue")).json()["results"]
    ]
    assert api_ids == [trusted.pk, early.pk, late.pk]


def test_the_queue_filters_by_kind_language_brand_rule_and_age(client, moderator, submission):
    # given
    other_brand = BrandFactory()
    old = open_item(submission(), rule_code="insult", created_at=NOW - datetime.timedelta(days=4))
    english = open_item(submission(language="en"), rule_code="insult")
    elsewhere = open_item(submission(brand=other_brand), rule_code="off_topic")
    report = open_item(submission(), kind=WorkItem.Kind.REPORT, rule_code="defamation")
    client.force_login(moderator)
    # when / then
    assert queue_ids(client, kind="report") == [report.pk]
    assert queue_ids(client, language="en") == [english.pk]
    assert queue_ids(client, brand=other_brand.pk) == [elsewhere.pk]
    assert queue_ids(client, rule="defamation") == [report.pk]
    assert queue_ids(client, age="3d") == [old.pk]
    assert queue_ids(client, rule="insult", language="fr") == [old.pk]
    api = api_for(moderator)
    response = api.get(
        reverse("api-moderation-queue"), {"brand": other_brand.pk, "rule": "off_topic"}
    )
    assert [row["id"] for row in response.json()["results"]] == [elsewhere.pk]


def test_counts_per_kind_follow_the_other_filters(client, moderator, submission):
    # given
    open_item(submission(), kind=WorkItem.Kind.REVIEW)
    open_item(submission(), kind=WorkItem.Kind.REVIEW)
    open_item(submission(), kind=WorkItem.Kind.REPORT)
    open_item(submission(language="en"), kind=WorkItem.Kind.APPEAL)
    api = api_for(moderator)
    # when
    everything = api.get(reverse("api-moderation-queue")).json()
    french_reviews = api.get(
        reverse("api-moderation-queue"), {"kind": "review", "language": "fr"}
    ).json()
    # then
    assert everything["counts"] == {"review": 2, "report": 1, "flag": 0, "appeal": 1, "proof": 0}
    assert everything["count"] == 4
    assert french_reviews["counts"] == {
        "review": 2,
        "report": 1,
        "flag": 0,
        "appeal": 0,
        "proof": 0,
    }
    assert french_reviews["count"] == 2
    client.force_login(in_english(moderator))
    page = client.get(reverse("moderation:queue")).content.decode()
    assert "4 items waiting" in page


def test_a_filter_the_page_does_not_understand_is_ignored_and_said(client, moderator, submission):
    # given
    item = open_item(submission())
    client.force_login(in_english(moderator))
    # when
    response = client.get(reverse("moderation:queue"), {"kind": "nonsense"})
    # then
    assert response.status_code == 200
    assert "were ignored: Kind" in response.content.decode()
    assert queue_ids(client, kind="nonsense") == [item.pk]


def test_the_api_refuses_a_filter_it_does_not_understand(moderator):
    response = api_for(moderator).get(reverse("api-moderation-queue"), {"age": "forever"})
    assert response.status_code == 400
    assert "age" in response.json()


@pytest.mark.req("NF-MOD-4")
def test_an_item_is_never_offered_nor_decidable_without_its_language(client, submission):
    # given
    english = open_item(submission(language="en"))
    french_only = UserFactory(role="moderator", moderation_languages=["fr"])
    client.force_login(french_only)
    api = api_for(french_only)
    # when / then: not listed, not counted, not claimed next, no page, no decision
    assert english.pk not in queue_ids(client)
    assert api.get(reverse("api-moderation-queue")).json()["counts"]["review"] == 0
    assert claim_next_work_item(moderator=french_only) is None
    assert client.get(reverse("moderation:item", args=[english.pk])).status_code == 403
    response = api.post(
        reverse("api-moderation-item-decide", args=[english.pk]),
        {"action": "publish"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (403, "language")
    english.refresh_from_db()
    assert (english.state, english.claimed_by_id) == (WorkItem.State.OPEN, None)
    assert events(AuditEvent.Action.WORK_ITEM_CLAIMED) == []


def test_a_moderator_tied_to_the_brand_never_sees_nor_decides_it(client, submission, brand):
    # given
    item = open_item(submission())
    tied = UserFactory(role="moderator", moderation_languages=["fr"])
    MembershipFactory(brand=brand, user=tied)
    client.force_login(tied)
    api = api_for(tied)
    # when / then
    assert queue_ids(client) == []
    assert claim_next_work_item(moderator=tied) is None
    assert client.get(reverse("moderation:item", args=[item.pk])).status_code == 403
    response = api.post(
        reverse("api-moderation-item-decide", args=[item.pk]), {"action": "publish"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "conflict_of_interest")
    assert api.get(reverse("api-moderation-item", args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.state == WorkItem.State.OPEN


@pytest.mark.req("DSA-20")
def test_an_appeal_is_hidden_from_the_moderator_who_took_the_first_decision(
    client, moderator, submission
):
    # given: an appeal against this moderator's decision
    appeal_item = open_item(submission(), kind=WorkItem.Kind.APPEAL, excluded_moderator=moderator)
    other = UserFactory(role="moderator", moderation_languages=["fr"])
    client.force_login(moderator)
    # when / then
    assert appeal_item.pk not in queue_ids(client)
    assert claim_next_work_item(moderator=moderator) is None
    assert client.get(reverse("moderation:item", args=[appeal_item.pk])).status_code == 403
    response = api_for(moderator).post(
        reverse("api-moderation-item-decide", args=[appeal_item.pk]),
        {"action": "uphold", "reasons": "La décision est confirmée."},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (403, "own_decision")
    assert appeal_item.pk in [item.pk for item in list_queue(moderator=other)]


def test_a_claimed_item_is_hidden_from_others_and_comes_back_after_the_lease(
    client, moderator, submission
):
    # given: the moderator opens the item, which claims it
    item = open_item(submission())
    other = UserFactory(role="moderator", moderation_languages=["fr"], language="en")
    client.force_login(moderator)
    assert client.get(reverse("moderation:item", args=[item.pk])).status_code == 200
    item.refresh_from_db()
    assert item.claimed_by == moderator
    # when / then: another moderator sees neither the item nor a way to decide it
    client.force_login(other)
    assert queue_ids(client) == []
    page = client.get(reverse("moderation:item", args=[item.pk]))
    assert "Modo is working on this item" in page.content.decode()
    assert 'id="decision-form"' not in page.content.decode()
    response = api_for(other).post(
        reverse("api-moderation-item-decide", args=[item.pk]), {"action": "publish"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "claimed")
    # and after the lease, it is back
    with time_machine.travel(item.claim_expires_at + datetime.timedelta(seconds=1), tick=False):
        assert queue_ids(client) == [item.pk]
        claimed = claim_next_work_item(moderator=other)
    assert claimed is not None
    assert claimed.pk == item.pk
    first_lease_end = item.claim_expires_at
    item.refresh_from_db()
    assert item.claimed_by == other
    assert item.claim_expires_at > first_lease_end  # a new lease for the new holder
    claims = events(AuditEvent.Action.WORK_ITEM_CLAIMED, object_id=str(item.pk))
    assert [event.actor for event in claims] == [moderator, other]


def test_opening_an_item_claims_it_once_and_release_gives_it_back(client, moderator, submission):
    # given
    item = open_item(submission())
    client.force_login(moderator)
    # when: opened twice, then released
    client.get(reverse("moderation:item", args=[item.pk]))
    client.get(reverse("moderation:item", args=[item.pk]))
    response = client.post(reverse("moderation:item-release", args=[item.pk]))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:queue")
    item.refresh_from_db()
    assert (item.claimed_by, item.claim_expires_at) == (None, None)
    assert len(events(AuditEvent.Action.WORK_ITEM_CLAIMED, object_id=str(item.pk))) == 1
    released = events(AuditEvent.Action.WORK_ITEM_RELEASED, object_id=str(item.pk))
    assert [event.actor for event in released] == [moderator]


def test_releasing_an_item_one_does_not_hold_changes_nothing(moderator, submission):
    item = open_item(submission())
    response = api_for(moderator).post(reverse("api-moderation-item-release", args=[item.pk]))
    assert (response.status_code, response.json()["code"]) == (409, "not_claimed")
    assert events(AuditEvent.Action.WORK_ITEM_RELEASED) == []


def test_claim_the_next_item_opens_the_first_one_under_the_filters(client, moderator, submission):
    # given
    open_item(submission(), due_at=NOW + datetime.timedelta(hours=1))
    report = open_item(
        submission(), kind=WorkItem.Kind.REPORT, due_at=NOW + datetime.timedelta(days=2)
    )
    client.force_login(moderator)
    # when
    response = client.post(reverse("moderation:queue-next") + "?kind=report")
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:item", args=[report.pk]) + "?kind=report"
    report.refresh_from_db()
    assert report.claimed_by == moderator


def test_claim_the_next_item_on_an_empty_queue_says_so(client, moderator):
    client.force_login(in_english(moderator))
    response = client.post(reverse("moderation:queue-next"), follow=True)
    assert response.redirect_chain == [(reverse("moderation:queue"), 302)]
    assert "The queue is empty" in response.content.decode()
    assert api_for(moderator).post(reverse("api-moderation-queue-next")).status_code == 204


def test_the_api_claims_the_next_item_under_the_filters(moderator, submission):
    # given
    open_item(submission(), due_at=NOW + datetime.timedelta(hours=1))
    english = open_item(submission(language="en"), due_at=NOW + datetime.timedelta(days=1))
    # when
    response = api_for(moderator).post(
        reverse("api-moderation-queue-next"), {"language": "en"}, format="json"
    )
    # then
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["claimed_by"]) == (english.pk, "Modo")


def test_overdue_items_are_highlighted(client, moderator, submission):
    # given
    overdue = open_item(submission(), due_at=NOW - datetime.timedelta(hours=1))
    on_time = open_item(submission(), due_at=NOW + datetime.timedelta(hours=1))
    client.force_login(moderator)
    # when
    html = client.get(reverse("moderation:queue")).content.decode()
    # then
    rows = re.findall(
        r'<tr class="([^"]*)">\s*<th scope="row">\s*<a href="/moderation/file/(\d+)/', html
    )
    assert rows == [("overdue", str(overdue.pk)), ("", str(on_time.pk))]
    api_rows = api_for(moderator).get(reverse("api-moderation-queue")).json()["results"]
    assert [(row["id"], row["overdue"]) for row in api_rows] == [
        (overdue.pk, True),
        (on_time.pk, False),
    ]


def test_the_moderator_sees_their_own_throughput(client, moderator, submission):
    # given: today, two items claimed then decided 10 and 30 minutes later; one closed last week
    start = timezone.localtime(NOW).replace(hour=9, minute=0, second=0, microsecond=0)
    for minutes in (10, 30):
        item = open_item(submission())
        with time_machine.travel(start, tick=False):
            claim_work_item(item_id=item.pk, moderator=moderator)
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            decide_work_item(item_id=item.pk, moderator=moderator, action="publish")
    old = open_item(submission())
    with time_machine.travel(start - datetime.timedelta(days=8), tick=False):
        decide_work_item(item_id=old.pk, moderator=moderator, action="publish")
    # when
    throughput = get_moderator_throughput(
        moderator=moderator, now=start + datetime.timedelta(hours=1)
    )
    # then
    assert (throughput.closed_today, throughput.closed_this_week) == (2, 2)
    assert throughput.median_claim_to_close == datetime.timedelta(minutes=10)
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        client.force_login(in_english(moderator))
        html = client.get(reverse("moderation:queue")).content.decode()
    assert re.search(r"<dt>Closed today</dt><dd>2</dd>", html)
    assert "<dd>10 min</dd>" in html


def _queue_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_the_queue_page_costs_the_same_whatever_its_length(
    client, moderator, submission, django_assert_num_queries
):
    # given
    for _ in range(3):
        open_item(submission())
    client.force_login(moderator)
    path = reverse("moderation:queue")
    client.get(path)  # the session is warm
    # when / then: session, user, brands of the filter (2), items and counts (2), page (2),
    # throughput (1: nothing closed yet)
    with django_assert_num_queries(9):
        client.get(path)
    for _ in range(7):
        open_item(submission(brand=BrandFactory()))
    with django_assert_num_queries(9):
        response = client.get(path)
    assert len(re.findall(r'href="/moderation/file/\d+/"', response.content.decode())) == 10


def test_the_queue_api_costs_the_same_whatever_its_length(
    moderator, submission, django_assert_num_queries
):
    # given
    for _ in range(3):
        open_item(submission())
    api = api_for(moderator)
    # when / then: brands of the moderator, counts, page count, page
    with django_assert_num_queries(4):
        api.get(reverse("api-moderation-queue"))
    for _ in range(7):
        open_item(submission(brand=BrandFactory()))
    with django_assert_num_queries(4):
        response = api.get(reverse("api-moderation-queue"))
    assert response.json()["count"] == 10


def test_claim_lease_setting_is_what_the_claim_gets(moderator, submission):
    item = open_item(submission())
    with time_machine.travel(NOW, tick=False):
        claimed = claim_work_item(item_id=item.pk, moderator=moderator)
    assert claimed.claim_expires_at == NOW + settings.MODERATION_CLAIM_LEASE
