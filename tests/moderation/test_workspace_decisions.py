"""Deciding from the workspace, on the web and through the API: the exact audit events, the
rule a restriction must cite, the next item, bulk decisions on a cluster."""

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from moderation.models import Appeal, Decision, Report, StatementOfReasons, WorkItem
from moderation.services import (
    claim_work_item,
    decide_work_item,
    decide_work_items_in_bulk,
    file_appeal,
)
from reviews.models import Review
from tests.factories import UserFactory
from tests.moderation.workspace import (
    open_item,
    published_review,
    report_item,
    review_for_moderator,
)

A = AuditEvent.Action


def in_english(user):
    """The interface in English (a logged-in user sees their own language)."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def events_since(marker):
    return list(AuditEvent.objects.filter(id__gt=marker).order_by("id"))


def last_event_id():
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def actions(events):
    return [event.action for event in events]


@pytest.mark.req("DSA-9", "NF-MOD-7")
def test_a_rejection_on_the_web_writes_each_event_and_tells_the_author(
    client, moderator, brand, django_capture_on_commit_callbacks
):
    # given: the moderator has opened the item (and so claimed it)
    review, item = review_for_moderator(brand=brand)
    client.force_login(moderator)
    client.get(reverse("moderation:item", args=[item.pk]))
    marker = last_event_id()
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("moderation:item-decide", args=[item.pk]),
            {"action": "reject", "rule_code": "insult", "note": "Insulte visant le vendeur."},
        )
    # then: the queue is empty, so the queue opens
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:queue")
    decision = Decision.objects.get(submission=item.submission, decided_by=moderator)
    assert (decision.outcome, decision.rule_code, decision.note) == (
        "reject",
        "insult",
        "Insulte visant le vendeur.",
    )
    written = events_since(marker)
    assert actions(written) == [
        A.MODERATION_DECIDED,
        A.STATEMENT_ISSUED,
        A.REVIEW_STATUS_CHANGED,
        A.WORK_ITEM_CLOSED,
    ]
    decided, statement, status, closed = written
    assert (decided.actor, decided.from_status, decided.to_status, decided.rule_code) == (
        moderator,
        "in_review",
        "decided",
        "insult",
    )
    assert decided.details["decision_id"] == decision.pk
    assert decided.details["decided_by"] == "moderator"
    assert statement.object_id == str(StatementOfReasons.objects.get(decision=decision).pk)
    assert (status.object_id, status.from_status, status.to_status) == (
        str(review.pk),
        "in_review",
        "rejected",
    )
    assert (closed.object_id, closed.from_status, closed.to_status, closed.rule_code) == (
        str(item.pk),
        "open",
        "done",
        "insult",
    )
    assert closed.details == {
        "kind": "review",
        "outcome": "reject",
        "submission_id": item.submission_id,
    }
    review.refresh_from_db()
    assert review.status == Review.Status.REJECTED
    assert [message.to for message in mail.outbox] == [[review.author.email]]


def test_a_publication_through_the_api_writes_no_statement(
    moderator, brand, django_capture_on_commit_callbacks
):
    # given
    review, item = review_for_moderator(brand=brand)
    marker = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(moderator).post(
            reverse("api-moderation-item-decide", args=[item.pk]),
            {"action": "publish", "note": "Citation, pas une insulte."},
            format="json",
        )
    # then
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["outcome"]) == ("done", "publish")
    assert actions(events_since(marker)) == [
        A.MODERATION_DECIDED,
        A.REVIEW_STATUS_CHANGED,
        A.WORK_ITEM_CLOSED,
    ]
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


@pytest.mark.req("DSA-9")
def test_a_label_through_the_api_issues_a_statement(
    moderator, brand, django_capture_on_commit_callbacks
):
    # given
    review, item = review_for_moderator(brand=brand)
    marker = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(moderator).post(
            reverse("api-moderation-item-decide", args=[item.pk]),
            {"action": "label", "rule_code": "undisclosed_incentive"},
            format="json",
        )
    # then
    assert response.status_code == 200
    assert actions(events_since(marker)) == [
        A.MODERATION_DECIDED,
        A.STATEMENT_ISSUED,
        A.REVIEW_STATUS_CHANGED,
        A.WORK_ITEM_CLOSED,
    ]
    review.refresh_from_db()
    assert (review.status, review.labelled_incentivised) == (Review.Status.PUBLISHED, True)


@pytest.mark.req("FR-15")
@pytest.mark.parametrize(
    "rule_code",
    [
        "",  # a restriction cites a rule
        "made_up_rule",  # from the published code of conduct
        "pressure_to_withdraw",  # that applies to this kind of content (brand replies only)
    ],
)
def test_a_restriction_without_a_published_rule_is_refused_and_changes_nothing(
    client, moderator, brand, rule_code
):
    # given
    review, item = review_for_moderator(brand=brand)
    claim_work_item(item_id=item.pk, moderator=moderator)
    marker = last_event_id()
    client.force_login(moderator)
    # when
    web = client.post(
        reverse("moderation:item-decide", args=[item.pk]),
        {"action": "reject", "rule_code": rule_code},
    )
    api = api_for(moderator).post(
        reverse("api-moderation-item-decide", args=[item.pk]),
        {"action": "reject", "rule_code": rule_code},
        format="json",
    )
    # then
    assert web.status_code == 400
    assert "rule" in web.content.decode().lower()
    assert (api.status_code, api.json()["code"]) == (400, "invalid_rule")
    assert events_since(marker) == []
    assert not Decision.objects.filter(
        submission=item.submission, decided_by__isnull=False
    ).exists()
    item.refresh_from_db()
    review.refresh_from_db()
    assert (item.state, review.status) == (WorkItem.State.OPEN, Review.Status.IN_REVIEW)


def test_an_action_that_does_not_apply_to_the_item_is_refused(client, moderator, brand):
    # given
    review, item = review_for_moderator(brand=brand)
    marker = last_event_id()
    client.force_login(moderator)
    # when
    web = client.post(reverse("moderation:item-decide", args=[item.pk]), {"action": "dismiss"})
    api = api_for(moderator).post(
        reverse("api-moderation-item-decide", args=[item.pk]), {"action": "dismiss"}, format="json"
    )
    bogus = api_for(moderator).post(
        reverse("api-moderation-item-decide", args=[item.pk]), {"action": "delete"}, format="json"
    )
    # then
    assert web.status_code == 400
    assert (api.status_code, api.json()["code"]) == (400, "invalid_action")
    assert bogus.status_code == 400
    assert "action" in bogus.json()
    assert events_since(marker) == []


def test_after_a_decision_the_next_item_opens_under_the_same_filters(client, moderator, brand):
    # given: two items in the queue, the moderator works the first one, filtered by kind
    first_review, first = review_for_moderator(brand=brand)
    second_review, second = review_for_moderator(brand=brand)
    client.force_login(moderator)
    client.get(reverse("moderation:item", args=[first.pk]) + "?kind=review")
    # when
    response = client.post(
        reverse("moderation:item-decide", args=[first.pk]) + "?kind=review",
        {"action": "publish"},
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:item", args=[second.pk]) + "?kind=review"
    second.refresh_from_db()
    assert second.claimed_by == moderator


def test_an_item_decided_meanwhile_gives_a_conflict_and_no_second_decision(
    client, moderator, brand
):
    # given: another moderator decided the item after this one opened it
    review, item = review_for_moderator(brand=brand)
    other = UserFactory(role="moderator", moderation_languages=["fr"])
    decide_work_item(item_id=item.pk, moderator=other, action="publish")
    marker = last_event_id()
    client.force_login(in_english(moderator))
    # when
    web = client.post(
        reverse("moderation:item-decide", args=[item.pk]),
        {"action": "reject", "rule_code": "insult"},
    )
    api = api_for(moderator).post(
        reverse("api-moderation-item-decide", args=[item.pk]),
        {"action": "reject", "rule_code": "insult"},
        format="json",
    )
    # then
    assert web.status_code == 409
    assert "already decided" in web.content.decode()
    assert (api.status_code, api.json()["code"]) == (409, "already_decided")
    assert events_since(marker) == []
    assert (
        Decision.objects.filter(submission=item.submission, decided_by__isnull=False).count() == 1
    )


@pytest.mark.req("DSA-23", "DSA-24")
def test_a_report_dismissed_as_manifestly_unfounded_is_recorded_so(
    client, moderator, brand, django_capture_on_commit_callbacks
):
    # given
    review = published_review(brand=brand)
    reporter = UserFactory()
    item = report_item(review, reporter=reporter)
    client.force_login(moderator)
    client.get(reverse("moderation:item", args=[item.pk]))
    marker = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("moderation:item-decide", args=[item.pk]),
            {"action": "dismiss", "rule_code": "insult", "manifestly_unfounded": "on"},
        )
    # then
    assert response.status_code == 302
    report = Report.objects.get(pk=item.report_id)
    assert (report.status, report.manifestly_unfounded, report.decided_by) == (
        Report.Status.DISMISSED,
        True,
        moderator,
    )
    written = events_since(marker)
    assert actions(written) == [A.REPORT_DECIDED, A.WORK_ITEM_CLOSED]
    assert written[0].details["manifestly_unfounded"] is True
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


@pytest.mark.req("ISO-MOD-2")
def test_a_report_upheld_through_the_api_removes_the_review(
    moderator, brand, django_capture_on_commit_callbacks
):
    # given
    review = published_review(brand=brand)
    item = report_item(review, reporter=UserFactory())
    marker = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(moderator).post(
            reverse("api-moderation-item-decide", args=[item.pk]),
            {"action": "remove", "rule_code": "insult", "note": "Insulte avérée."},
            format="json",
        )
    # then
    assert response.status_code == 200
    assert actions(events_since(marker)) == [
        A.MODERATION_DECIDED,
        A.STATEMENT_ISSUED,
        A.REVIEW_STATUS_CHANGED,
        A.REPORT_DECIDED,
        A.WORK_ITEM_CLOSED,
    ]
    review.refresh_from_db()
    assert review.status == Review.Status.REMOVED


@pytest.mark.req("DSA-18", "DSA-19", "DSA-20")
def test_a_second_moderator_reverses_an_appeal_with_reasons(
    client, moderator, brand, django_capture_on_commit_callbacks
):
    # given: the first moderator rejected, the author appealed
    review, item = review_for_moderator(brand=brand)
    decide_work_item(item_id=item.pk, moderator=moderator, action="reject", rule_code="insult")
    decision = Decision.objects.filter(submission=item.submission).last()
    appeal = file_appeal(
        appellant=review.author, explanation="Je citais le vendeur.", decision_id=decision.pk
    )
    appeal_item = WorkItem.objects.get(appeal=appeal)
    second = UserFactory(role="moderator", moderation_languages=["fr"])
    client.force_login(second)
    # when: without reasons first, then with them
    refused = client.post(
        reverse("moderation:item-decide", args=[appeal_item.pk]), {"action": "reverse"}
    )
    marker = last_event_id()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("moderation:item-decide", args=[appeal_item.pk]),
            {"action": "reverse", "reasons": "Le mot était cité, pas adressé au vendeur."},
        )
    # then
    assert refused.status_code == 400
    assert response.status_code == 302
    assert actions(events_since(marker)) == [
        A.MODERATION_DECIDED,
        A.REVIEW_STATUS_CHANGED,
        A.APPEAL_DECIDED,
        A.WORK_ITEM_CLOSED,
    ]
    appeal.refresh_from_db()
    review.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == (Appeal.Status.REVERSED, second)
    assert review.status == Review.Status.PUBLISHED


# BULK DECISIONS
# ------------------------------------------------------------------------------


@pytest.fixture
def cluster(brand):
    """Three reviews from one network, each waiting in its own item."""
    return [review_for_moderator(brand=brand, client_ip="203.0.113.50") for _ in range(3)]


def test_the_item_page_offers_the_cluster_for_a_bulk_decision(client, moderator, cluster):
    # given
    (_, first), (_, second), (_, third) = cluster
    client.force_login(moderator)
    # when
    html = client.get(reverse("moderation:item", args=[first.pk])).content.decode()
    # then
    for item in (first, second, third):
        assert f'name="bulk-items" value="{item.pk}" id="bulk-item-{item.pk}"' in html
    assert f'value="{first.pk}" id="bulk-item-{first.pk}" checked' in html
    assert f'value="{second.pk}" id="bulk-item-{second.pk}">' in html


@pytest.mark.req("DSA-9")
def test_a_bulk_decision_on_the_web_records_each_item_on_its_own(
    client, moderator, cluster, django_capture_on_commit_callbacks
):
    # given
    (review_a, first), (review_b, second), (review_c, third) = cluster
    client.force_login(in_english(moderator))
    client.get(reverse("moderation:item", args=[first.pk]))
    marker = last_event_id()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("moderation:item-bulk-decide", args=[first.pk]),
            {
                "bulk-items": [first.pk, second.pk],
                "bulk-action": "reject",
                "bulk-rule_code": "coordinated_campaign",
            },
            follow=True,
        )
    # then: the two are decided one by one; the third still waits, and opens next
    assert response.redirect_chain == [(reverse("moderation:item", args=[third.pk]), 302)]
    assert "2 items decided." in response.content.decode()
    written = events_since(marker)
    per_item = [
        A.MODERATION_DECIDED,
        A.STATEMENT_ISSUED,
        A.REVIEW_STATUS_CHANGED,
        A.WORK_ITEM_CLOSED,
    ]
    assert actions(written) == [*per_item, *per_item, A.WORK_ITEM_CLAIMED]
    closed = [event.object_id for event in written if event.action == A.WORK_ITEM_CLOSED]
    assert closed == [str(first.pk), str(second.pk)]
    decisions = Decision.objects.filter(decided_by=moderator).order_by("id")
    assert [(d.submission_id, d.outcome, d.rule_code) for d in decisions] == [
        (first.submission_id, "reject", "coordinated_campaign"),
        (second.submission_id, "reject", "coordinated_campaign"),
    ]
    assert StatementOfReasons.objects.filter(decision__in=decisions).count() == 2
    statuses = {
        r.pk: r.status
        for r in Review.objects.filter(pk__in=[review_a.pk, review_b.pk, review_c.pk])
    }
    assert statuses == {
        review_a.pk: Review.Status.REJECTED,
        review_b.pk: Review.Status.REJECTED,
        review_c.pk: Review.Status.IN_REVIEW,
    }


def test_a_bulk_decision_skips_what_the_moderator_may_not_decide_with_the_reason(
    moderator, cluster, submission
):
    # given: one item held by another moderator, one already decided, one in English
    (_, first), (_, held), (_, decided) = cluster
    other = UserFactory(role="moderator", moderation_languages=["fr"])
    claim_work_item(item_id=held.pk, moderator=other)
    decide_work_item(item_id=decided.pk, moderator=other, action="publish")
    english = open_item(submission(language="en"))
    french_only = UserFactory(role="moderator", moderation_languages=["fr"])
    # when
    results = decide_work_items_in_bulk(
        item_ids=[first.pk, held.pk, decided.pk, english.pk, first.pk],
        moderator=french_only,
        action="reject",
        rule_code="coordinated_campaign",
    )
    # then
    assert [(r.item_id, r.decided, r.code) for r in results] == [
        (first.pk, True, ""),
        (held.pk, False, "claimed"),
        (decided.pk, False, "already_decided"),
        (english.pk, False, "language"),
    ]
    assert all(r.reason for r in results if not r.decided)
    assert WorkItem.objects.get(pk=first.pk).state == WorkItem.State.DONE
    assert WorkItem.objects.get(pk=held.pk).state == WorkItem.State.OPEN


def test_the_bulk_api_returns_each_result(moderator, cluster, django_capture_on_commit_callbacks):
    # given
    (_, first), (_, second), _third = cluster
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(moderator).post(
            reverse("api-moderation-bulk-decide"),
            {"item_ids": [first.pk, second.pk, 999999], "action": "publish"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",  # the English messages are asserted
        )
    # then
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"item_id": first.pk, "decided": True, "code": "", "detail": ""},
        {"item_id": second.pk, "decided": True, "code": "", "detail": ""},
        {
            "item_id": 999999,
            "decided": False,
            "code": "not_found",
            "detail": "This work item does not exist.",
        },
    ]
    assert AuditEvent.objects.filter(action=A.WORK_ITEM_CLOSED).count() == 2


def test_a_bulk_decision_outside_the_cluster_or_empty_is_refused(client, moderator, cluster, brand):
    # given: an item of another cluster (another network, text and side of the scale)
    (_, first), _second, _third = cluster
    _, stranger = review_for_moderator(
        brand=brand, text="Vendeur abruti et pain rassis, une boulangerie à éviter.", rating=2
    )
    client.force_login(moderator)
    marker = last_event_id()
    # when
    outside = client.post(
        reverse("moderation:item-bulk-decide", args=[first.pk]),
        {"bulk-items": [first.pk, stranger.pk], "bulk-action": "publish"},
    )
    empty = api_for(moderator).post(
        reverse("api-moderation-bulk-decide"), {"item_ids": [], "action": "publish"}, format="json"
    )
    # then
    assert outside.status_code == 400
    assert empty.status_code == 400
    assert "item_ids" in empty.json()
    assert events_since(marker) == []


def test_the_bulk_service_is_for_moderators_only(customer, cluster):
    (_, first), _second, _third = cluster
    from config.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        decide_work_items_in_bulk(item_ids=[first.pk], moderator=customer, action="publish")
    assert WorkItem.objects.get(pk=first.pk).state == WorkItem.State.OPEN


def test_keyboard_shortcuts_are_on_the_page_and_the_script_is_served(client, moderator, brand):
    # given
    _, item = review_for_moderator(brand=brand)
    client.force_login(moderator)
    # when
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    # then
    for action, key in (("publish", "p"), ("reject", "r"), ("label", "l")):
        assert f'value="{action}" data-shortcut="{key}" aria-keyshortcuts="{key}"' in html
    assert 'data-shortcut="n"' in html
    assert 'data-needs-rule="id_rule_code"' in html
    assert "/static/js/moderation.js" in html
    from django.contrib.staticfiles import finders

    with open(finders.find("js/moderation.js"), encoding="utf-8") as file:
        script = file.read()
    assert "textarea" in script
    assert "data-shortcut" in script


def test_a_decision_email_is_sent_once_per_item_in_a_bulk(moderator, cluster):
    (review_a, first), (review_b, second), _third = cluster
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        decide_work_items_in_bulk(
            item_ids=[first.pk, second.pk], moderator=moderator, action="reject", rule_code="insult"
        )
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [review_a.author.email, review_b.author.email]
    )
