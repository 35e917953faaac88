"""What the public sees of a proof of experience: the "verified" badge after an accepted proof
only (FR-17), and the steps in the review's history, without the document nor who sent it."""

import datetime
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from moderation.models import WorkItem
from moderation.tasks import expire_proof_requests_task
from reviews.models import Review
from tests.reviews.proofs import (
    decide,
    fresh_private_storage,
    open_item,
    request_proof,
    submit_in_review,
    upload,
)
from tests.reviews.publishing import submit_and_decide


@pytest.fixture(autouse=True)
def private_files(monkeypatch):
    return fresh_private_storage(monkeypatch)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def in_review(customer, brand):
    return submit_in_review(customer, brand)


@pytest.fixture
def uploaded(in_review, moderator, customer):
    request_proof(in_review, moderator)
    return upload(in_review, customer, name="facture-camille-dupont.pdf")


def badges(client, brand) -> dict[int, list[str]]:
    html = client.get(reverse("brand-detail", args=[brand.slug])).content.decode()
    cards = re.findall(r'<article class="review-card" id="review-(\d+)".*?</article>', html, re.S)
    bodies = re.findall(r'<article class="review-card".*?</article>', html, re.S)
    return {
        int(pk): re.findall(r'<li class="badge [^"]+">(.*?)</li>', body)
        for pk, body in zip(cards, bodies, strict=True)
    }


def timeline(client, review) -> list[str]:
    html = client.get(reverse("review-history", args=[review.pk])).content.decode()
    return re.findall(r'class="timeline-entry entry-([a-z_]+)"', html)


# The badge (FR-17)


@pytest.mark.req("FR-17", "NF-COL-5", "EU-3")
def test_an_accepted_proof_earns_the_verified_badge(english, uploaded, in_review, moderator, brand):
    # given: published by another path, for comparison
    plain = submit_and_decide(brand=brand, moderator=moderator)
    # when
    decide(open_item(in_review, WorkItem.Kind.PROOF), moderator, "accept_proof")
    # then
    assert badges(english, brand) == {
        in_review.pk: ["Verified review — proof of purchase provided"],
        plain.pk: [],
    }


@pytest.mark.req("FR-17")
def test_a_pending_or_refused_proof_earns_no_badge(english, customer, moderator, brand):
    # given: a published review whose authenticity a brand doubts; proof asked, then sent
    review = submit_and_decide(brand=brand, moderator=moderator, author=customer)
    from tests.factories import MembershipFactory
    from tests.reviews.proofs import report

    report(
        review,
        MembershipFactory(brand=brand, role="owner").user,
        source="brand_flag",
        flag_reason="not_a_customer",
        rule_code="",
    )
    request_proof(review, moderator, kind=WorkItem.Kind.FLAG)
    upload(review, customer)
    # then: pending, no badge
    assert badges(english, brand) == {review.pk: []}
    # when: refused
    decide(open_item(review, WorkItem.Kind.PROOF), moderator, "refuse_proof")
    # then: removed, gone from the page
    assert badges(english, brand) == {}
    review.refresh_from_db()
    assert (review.status, review.verification) == ("removed", "self_declared")


@pytest.mark.req("FR-17")
def test_the_api_never_lets_an_author_declare_a_document_verification(
    client, customer, brand, django_capture_on_commit_callbacks
):
    # given
    client.force_login(customer)
    body = {
        "brand": brand.slug,
        "channel": "in_store",
        "rating": 5,
        "title": "Parfait",
        "text": "Accueil chaleureux, pain encore tiède et croissants croustillants, bravo.",
        "experience_date": str(datetime.date.today() - datetime.timedelta(days=2)),
        "attested": True,
        "verification": "document",
    }
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api-reviews"), body, content_type="application/json")
    # then
    assert response.status_code == 201
    assert Review.objects.get().verification == "self_declared"


# The public history


@pytest.mark.req("FR-3", "NF-COL-5")
def test_the_history_shows_the_proof_asked_sent_and_accepted(
    english, uploaded, in_review, moderator
):
    # when
    decide(open_item(in_review, WorkItem.Kind.PROOF), moderator, "accept_proof")
    # then
    assert timeline(english, in_review) == [
        "submitted",
        "sent_to_moderator",
        "in_review",
        "proof_requested",
        "proof_uploaded",
        "proof_accepted",
        "verified",
        "published",
    ]
    html = english.get(reverse("review-history", args=[in_review.pk])).content.decode()
    assert "Proof of experience asked of its author</strong>, by a moderator" in html
    assert "Its author sent a proof of experience</strong>, by its author" in html


@pytest.mark.req("FR-3", "NF-COL-5", "NF-MOD-7")
def test_the_history_shows_a_refused_proof_with_its_rule(english, uploaded, in_review, moderator):
    # when
    decide(open_item(in_review, WorkItem.Kind.PROOF), moderator, "refuse_proof")
    # then
    assert timeline(english, in_review)[3:] == [
        "proof_requested",
        "proof_uploaded",
        "proof_refused",
        "rule_applied",
        "rejected",
    ]
    html = english.get(reverse("review-history", args=[in_review.pk])).content.decode()
    assert "Proof of experience examined: refused</strong>, by a moderator. Rule:" in html
    assert '<a href="/charte/#rule-no_consumer_experience">No consumer experience</a>' in html


@pytest.mark.req("FR-3", "NF-COL-5")
def test_the_history_shows_a_proof_missing_at_the_deadline(english, in_review, moderator):
    # given
    proof = request_proof(in_review, moderator)
    # when
    with time_machine.travel(proof.deadline + datetime.timedelta(minutes=1), tick=False):
        expire_proof_requests_task.delay()
    # then
    assert timeline(english, in_review)[3:] == [
        "proof_requested",
        "proof_expired",
        "rule_applied",
        "rejected",
    ]


@pytest.mark.req("FR-3", "ISO-PRIV-1")
def test_the_history_shows_nothing_of_the_document_nor_of_who_acted(
    english, uploaded, in_review, moderator, customer
):
    # given
    decide(open_item(in_review, WorkItem.Kind.PROOF), moderator, "accept_proof")
    uploaded.refresh_from_db()
    # when
    html = english.get(reverse("review-history", args=[in_review.pk])).content.decode()
    download = english.get(reverse("review-history-json", args=[in_review.pk])).content.decode()
    # then
    for private in [
        customer.email,
        customer.pseudonym,
        moderator.email,
        moderator.pseudonym,
        "facture-camille-dupont",
        uploaded.document.name,
        "application/pdf",
        f'"size": {uploaded.size}',
    ]:
        assert private not in html
        assert private not in download
    proof_events = [
        e for e in json.loads(download)["events"] if e["object_type"] == "moderation.proofrequest"
    ]
    assert [(e["action"], e["canonical_json"], e["withheld"]) for e in proof_events] == [
        ("proof_requested", None, ["actor_id", "details"]),
        ("proof_uploaded", None, ["actor_id", "details"]),
        ("proof_decided", None, ["actor_id", "details"]),
    ]


def test_the_history_stays_two_queries_with_proofs(
    client, uploaded, in_review, moderator, django_assert_num_queries
):
    # given
    decide(open_item(in_review, WorkItem.Kind.PROOF), moderator, "accept_proof")
    # when / then
    with django_assert_num_queries(2):
        response = client.get(reverse("review-history", args=[in_review.pk]))
    assert response.status_code == 200
