"""A review's public history: its audit events and its moderation decisions, nothing private."""

import hashlib
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEvent
from audit.services import canonical_event_json
from moderation.models import Signal, Submission
from moderation.services import decide_submission
from reviews.history import get_review_history
from reviews.models import Review
from reviews.services import submit_review, withdraw_review

DOUBTFUL = "Le vendeur est abruti par la fatigue, mais la boulangerie reste très correcte."
INSULT = "Le gérant est un vrai connard, je ne reviendrai jamais dans cette boulangerie."


def history_page(client, review, language="en"):
    return client.get(reverse("review-history", args=[review.pk]), HTTP_ACCEPT_LANGUAGE=language)


def entry_kinds(html):
    return re.findall(r'class="timeline-entry entry-([a-z_]+)"', html)


@pytest.fixture
def published(customer, review_input, submit):
    review = submit(customer, **review_input)
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    return review


@pytest.fixture
def rejected_by_a_moderator(customer, moderator, review_input, submit):
    review = submit(customer, **{**review_input, "text": DOUBTFUL})
    submission = Submission.objects.get(kind="review", object_id=str(review.pk))
    assert submission.state == Submission.State.IN_REVIEW
    decide_submission(
        submission_id=submission.pk,
        moderator=moderator,
        outcome="reject",
        rule_code="insult",
        note="Note interne : vu avec l'équipe",
    )
    review.refresh_from_db()
    assert review.status == Review.Status.REJECTED
    return review


@pytest.mark.req("FR-3", "NF-MOD-7")
def test_a_published_review_shows_each_step_with_its_stored_hashes(
    client, published, django_assert_num_queries
):
    # given
    stored = list(
        AuditEvent.objects.filter(
            action__in=["review_submitted", "moderation_decided", "review_status_changed"]
        ).order_by("id")
    )
    # when
    with django_assert_num_queries(2):
        response = history_page(client, published)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert entry_kinds(html) == ["submitted", "checks_passed", "published"]
    assert "Published</strong>, by the automated checks" in html
    assert re.findall(r'<code class="hash">([0-9a-f]{64})</code>', html) == [e.hash for e in stored]
    assert re.findall(r'<code class="prev-hash">([^<]*)</code>', html) == [
        e.prev_hash or "—" for e in stored
    ]
    assert escape(published.text) in html


@pytest.mark.req("NF-MOD-7", "ISO-PRIV-1")
def test_a_moderators_decision_names_the_rule_never_the_moderator(
    client, rejected_by_a_moderator, moderator, customer
):
    # when
    response = history_page(client, rejected_by_a_moderator)
    # then
    html = response.content.decode()
    assert entry_kinds(html) == [
        "submitted",
        "sent_to_moderator",
        "in_review",
        "rule_applied",
        "rejected",
    ]
    assert "Rejected</strong>, by a moderator. Rule:" in html
    assert '<a href="/charte/#rule-insult">Insults and profanity</a>' in html
    evidence = list(Signal.objects.values_list("evidence", flat=True))
    assert evidence
    for private in [
        moderator.email,
        moderator.pseudonym,
        customer.email,
        customer.pseudonym,
        "Note interne",
        *map(escape, evidence),
        DOUBTFUL,
    ]:
        assert private not in html
    # the rule that only sent it to a moderator (a suspicion) is not shown either
    assert html.count("#rule-") == 2


def test_a_pending_review_shows_it_awaits_moderation_without_its_text(
    client, customer, review_input, django_capture_on_commit_callbacks
):
    # given: submitted, the pipeline not run yet
    with django_capture_on_commit_callbacks(execute=False):
        review = submit_review(author=customer, **review_input)
    # when
    html = history_page(client, review).content.decode()
    # then
    assert entry_kinds(html) == ["submitted", "awaiting"]
    assert "submitted, awaiting moderation" in html
    assert escape(review.text) not in html
    assert "croissants" not in html
    assert "The text of this review is not public" in html


def test_a_withdrawn_review_keeps_its_history_without_its_text(client, published):
    # given
    withdraw_review(review_id=published.pk, author=published.author)
    # when
    response = history_page(client, published)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert entry_kinds(html)[-1] == "withdrawn"
    assert "Withdrawn by its author</strong>, by its author" in html
    assert escape(published.text) not in html
    assert "croissants" not in html


@pytest.mark.req("NF-MOD-7")
def test_a_review_rejected_by_the_automated_checks_shows_the_rule(
    client, customer, review_input, submit
):
    # given
    review = submit(customer, **{**review_input, "text": INSULT})
    # when
    html = history_page(client, review).content.decode()
    # then
    assert entry_kinds(html) == ["submitted", "rule_applied", "rejected"]
    assert "A rule of the code of conduct was applied</strong>, by the automated checks" in html
    assert INSULT not in html


def test_unknown_reviews_are_not_found(client, db):
    assert client.get(reverse("review-history", args=[999])).status_code == 404
    assert client.get(reverse("review-history-json", args=[999])).status_code == 404


@pytest.mark.req("ISO-PRIV-1")
def test_the_download_lets_anyone_recompute_the_hashes_of_public_events(client, published):
    # when
    response = client.get(reverse("review-history-json", args=[published.pk]))
    # then
    events = response.json()["events"]
    stored = {e.pk: e for e in AuditEvent.objects.all()}
    assert [(e["id"], e["hash"], e["prev_hash"]) for e in events] == [
        (e["id"], stored[e["id"]].hash, stored[e["id"]].prev_hash) for e in events
    ]
    public = [e for e in events if e["canonical_json"] is not None]
    assert [(e["action"], e["to_status"]) for e in public] == [
        ("review_status_changed", "published")
    ]
    assert public[0]["canonical_json"] == canonical_event_json(stored[public[0]["id"]])
    recomputed = hashlib.sha256((public[0]["prev_hash"] + public[0]["canonical_json"]).encode())
    assert recomputed.hexdigest() == public[0]["hash"]
    assert [e["withheld"] for e in events] == [["actor_id", "details"], ["actor_id", "details"], []]


@pytest.mark.req("ISO-PRIV-1")
def test_the_download_withholds_actors_notes_and_evidence(
    client, rejected_by_a_moderator, moderator, customer
):
    # when
    response = client.get(reverse("review-history-json", args=[rejected_by_a_moderator.pk]))
    # then
    events = response.json()["events"]
    assert [e["canonical_json"] for e in events] == [None] * 5
    text = response.content.decode()
    for private in [
        moderator.email,
        moderator.pseudonym,
        customer.email,
        customer.pseudonym,
        "Note interne",
        "signals",
        "evidence",
        "risk_score",
    ]:
        assert private not in text
    assert [e["rule_code"] for e in events] == ["", "", "", "insult", "insult"]


def test_new_kinds_of_event_appear_with_their_name_only(published):
    # given: an event kind nobody wrote a describer for
    from django.db import transaction

    from audit.services import record_event

    with transaction.atomic():
        record_event(
            actor=published.author,
            action=AuditEvent.Action.REVIEW_VOTED_HELPFUL,
            target=published,
        )
    # when
    history = get_review_history(review_id=published.pk)
    # then
    assert history is not None
    assert [e.kind for e in history.entries][-1] == "voted_helpful"
    assert history.entries[-1].canonical_json is None  # an actor: withheld
