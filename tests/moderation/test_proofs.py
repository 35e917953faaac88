"""A moderator examines the proof of experience (NF-COL-5, FR-17): accepted, the review is
published "verified by document"; refused or missing by the deadline, it is restricted under the
rule on experiences that are not real. The document itself is for moderators only."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from config.celery_app import app
from config.errors import ApplicationError, ConflictError
from moderation.models import Decision, ProofRequest, Report, StatementOfReasons, WorkItem
from moderation.tasks import expire_proof_requests_task
from reviews.models import Review
from reviews.ratings import get_rating
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.proofs import (
    PDF,
    PNG,
    decide,
    fresh_private_storage,
    open_item,
    report,
    request_proof,
    submission_of,
    submit_in_review,
    upload,
)
from tests.reviews.publishing import submit_and_decide


@pytest.fixture(autouse=True)
def private_files(monkeypatch):
    return fresh_private_storage(monkeypatch)


@pytest.fixture
def in_review(customer, brand):
    return submit_in_review(customer, brand)


@pytest.fixture
def uploaded(in_review, moderator, customer):
    """The author of a doubtful review sent the PDF a moderator asked for."""
    request_proof(in_review, moderator)
    return upload(in_review, customer)


@pytest.fixture
def published(customer, brand, moderator):
    review = submit_and_decide(brand=brand, moderator=moderator, author=customer)
    assert review.status == Review.Status.PUBLISHED
    return review


def last_decision(review: Review) -> Decision:
    decision = Decision.objects.filter(submission=submission_of(review)).last()
    assert decision is not None
    return decision


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# Accepted, refused


@pytest.mark.req("NF-COL-5", "FR-17")
def test_an_accepted_proof_publishes_the_review_verified_by_document(
    uploaded, in_review, moderator, customer, brand
):
    # given
    item = open_item(in_review, WorkItem.Kind.PROOF)
    before = get_rating(brand_id=brand.pk)
    mail.outbox.clear()
    # when
    decide(item, moderator, "accept_proof")
    # then: published, with the badge, counted in the rating
    in_review.refresh_from_db()
    assert (in_review.status, in_review.verification, in_review.rule_code) == (
        "published",
        "document",
        "",
    )
    assert in_review.is_verified
    after = get_rating(brand_id=brand.pk)
    assert (after.count, after.stars_total) == (before.count + 1, before.stars_total + 4)
    uploaded.refresh_from_db()
    assert (uploaded.status, uploaded.decided_by) == ("accepted", moderator)
    decision = last_decision(in_review)
    assert (decision.outcome, decision.decided_by, decision.rule_code) == ("verify", moderator, "")
    assert not StatementOfReasons.objects.exists()
    [proof_decided] = events("proof_decided")
    assert (proof_decided.actor, proof_decided.from_status, proof_decided.to_status) == (
        moderator,
        "submitted",
        "accepted",
    )
    [published] = AuditEvent.objects.filter(action="review_status_changed", to_status="published")
    assert (published.from_status, published.details["outcome"]) == ("in_review", "verify")
    item.refresh_from_db()
    assert (item.state, item.outcome) == ("done", "accept_proof")
    assert [m.to for m in mail.outbox] == [[customer.email]]


@pytest.mark.req("NF-COL-5", "NF-MOD-8", "DSA-9")
def test_a_refused_proof_rejects_the_review_with_a_statement_of_reasons(
    uploaded, in_review, moderator, customer, brand
):
    # given
    item = open_item(in_review, WorkItem.Kind.PROOF)
    before = get_rating(brand_id=brand.pk)
    mail.outbox.clear()
    # when
    decide(item, moderator, "refuse_proof")
    # then
    in_review.refresh_from_db()
    assert (in_review.status, in_review.rule_code, in_review.verification) == (
        "rejected",
        "no_consumer_experience",
        "self_declared",
    )
    assert get_rating(brand_id=brand.pk).count == before.count
    uploaded.refresh_from_db()
    assert uploaded.status == "refused"
    decision = last_decision(in_review)
    assert (decision.outcome, decision.rule_code) == ("reject", "no_consumer_experience")
    statement = StatementOfReasons.objects.get(decision=decision)
    assert statement.decision_visibility == "DECISION_VISIBILITY_CONTENT_DISABLED"
    assert statement.automated_decision == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert "rule no_consumer_experience" in statement.ground
    [proof_decided] = events("proof_decided")
    assert (proof_decided.to_status, proof_decided.rule_code) == (
        "refused",
        "no_consumer_experience",
    )
    assert [m.to for m in mail.outbox] == [[customer.email]]


def test_a_refusal_may_cite_another_rule(uploaded, in_review, moderator):
    # when
    decide(
        open_item(in_review, WorkItem.Kind.PROOF),
        moderator,
        "refuse_proof",
        rule_code="coordinated_campaign",
    )
    # then
    in_review.refresh_from_db()
    assert (in_review.status, in_review.rule_code) == ("rejected", "coordinated_campaign")


def test_a_proof_item_takes_only_proof_actions(uploaded, in_review, moderator):
    # given
    item = open_item(in_review, WorkItem.Kind.PROOF)
    # when / then
    with pytest.raises(ApplicationError) as error:
        decide(item, moderator, "publish")
    assert error.value.code == "invalid_action"
    in_review.refresh_from_db()
    assert in_review.status == "in_review"


def test_proof_is_asked_once_at_a_time(published, moderator):
    # given: a proof is asked after a first report; a second report comes in meanwhile
    report(published, UserFactory())
    request_proof(published, moderator, kind=WorkItem.Kind.REPORT)
    report(published, UserFactory())
    second = open_item(published, WorkItem.Kind.REPORT)
    # when / then
    with pytest.raises(ConflictError) as error:
        decide(second, moderator, "request_proof")
    assert error.value.code == "proof_pending"
    assert ProofRequest.objects.count() == 1
    second.refresh_from_db()
    assert second.state == "open"


# A published review under a report or a brand flag


@pytest.mark.req("NF-COL-5", "FR-5")
@pytest.mark.parametrize("source", ["code_of_conduct", "brand_flag"])
def test_asking_proof_of_a_reported_review_leaves_it_published(published, moderator, brand, source):
    # given
    if source == "brand_flag":
        reporter = MembershipFactory(brand=brand, role="owner").user
        report(published, reporter, source=source, flag_reason="not_a_customer", rule_code="")
        kind = WorkItem.Kind.FLAG
    else:
        report(published, UserFactory())
        kind = WorkItem.Kind.REPORT
    # when
    proof = request_proof(published, moderator, kind=kind)
    # then
    published.refresh_from_db()
    assert (published.status, published.verification) == ("published", "self_declared")
    assert Report.objects.get().status == "open"
    assert proof.status == "requested"
    assert [e.to_status for e in events("proof_requested")] == ["requested"]


@pytest.mark.req("NF-COL-5", "FR-17")
def test_an_accepted_proof_keeps_a_reported_review_and_dismisses_the_report(
    published, moderator, customer
):
    # given
    report(published, UserFactory())
    request_proof(published, moderator, kind=WorkItem.Kind.REPORT)
    upload(published, customer, PNG, "ticket.png")
    # when
    decide(open_item(published, WorkItem.Kind.PROOF), moderator, "accept_proof")
    # then
    published.refresh_from_db()
    assert (published.status, published.verification) == ("published", "document")
    assert Report.objects.get().status == "dismissed"
    [badges] = events("review_badges_changed")
    assert (badges.details["outcome"], badges.details["verification"]) == ("verify", "document")


def test_a_refused_proof_removes_a_reported_review_and_upholds_the_report(
    published, moderator, customer, brand
):
    # given
    report(published, UserFactory())
    request_proof(published, moderator, kind=WorkItem.Kind.REPORT)
    upload(published, customer)
    before = get_rating(brand_id=brand.pk).count
    # when
    decide(open_item(published, WorkItem.Kind.PROOF), moderator, "refuse_proof")
    # then
    published.refresh_from_db()
    assert (published.status, published.rule_code) == ("removed", "no_consumer_experience")
    assert Report.objects.get().status == "upheld"
    assert get_rating(brand_id=brand.pk).count == before - 1
    statement = StatementOfReasons.objects.get()
    assert statement.decision_visibility == "DECISION_VISIBILITY_CONTENT_REMOVED"


# No document by the deadline


@pytest.mark.req("NF-COL-5", "NF-MOD-8")
def test_without_a_document_by_the_deadline_the_reported_review_is_removed(
    published, moderator, brand
):
    # given
    report(published, UserFactory())
    proof = request_proof(published, moderator, kind=WorkItem.Kind.REPORT)
    before = get_rating(brand_id=brand.pk).count
    # when: the periodic task runs a minute after the deadline
    with time_machine.travel(proof.deadline + datetime.timedelta(minutes=1), tick=False):
        expire_proof_requests_task.delay()
    # then
    published.refresh_from_db()
    assert (published.status, published.rule_code) == ("removed", "no_consumer_experience")
    assert get_rating(brand_id=brand.pk).count == before - 1
    proof.refresh_from_db()
    assert proof.status == "expired"
    assert Report.objects.get().status == "upheld"
    [expired] = events("proof_decided")
    assert (expired.actor, expired.from_status, expired.to_status, expired.rule_code) == (
        None,
        "requested",
        "expired",
        "no_consumer_experience",
    )
    decision = last_decision(published)
    assert (decision.outcome, decision.rule_code) == ("remove", "no_consumer_experience")
    assert StatementOfReasons.objects.filter(decision=decision).exists()


def test_without_a_document_by_the_deadline_a_review_in_review_is_rejected(in_review, moderator):
    # given
    proof = request_proof(in_review, moderator)
    # when
    with time_machine.travel(proof.deadline + datetime.timedelta(minutes=1), tick=False):
        expire_proof_requests_task.delay()
        expire_proof_requests_task.delay()  # a second run finds nothing left to do
    # then
    in_review.refresh_from_db()
    assert (in_review.status, in_review.rule_code) == ("rejected", "no_consumer_experience")
    assert len(events("proof_decided")) == 1


def test_before_the_deadline_the_task_changes_nothing(in_review, moderator):
    # given
    proof = request_proof(in_review, moderator)
    # when
    with time_machine.travel(proof.deadline - datetime.timedelta(minutes=1), tick=False):
        expire_proof_requests_task.delay()
    # then
    proof.refresh_from_db()
    in_review.refresh_from_db()
    assert (proof.status, in_review.status) == ("requested", "in_review")
    assert events("proof_decided") == []


def test_a_document_sent_in_time_is_not_expired(uploaded, in_review):
    # when
    with time_machine.travel(uploaded.deadline + datetime.timedelta(days=1), tick=False):
        expire_proof_requests_task.delay()
    # then: it waits for its moderator
    uploaded.refresh_from_db()
    assert uploaded.status == "submitted"
    assert open_item(in_review, WorkItem.Kind.PROOF)


def test_the_expiry_runs_periodically_on_the_moderation_queue():
    # given
    entry = settings.CELERY_BEAT_SCHEDULE["expire-proof-requests"]
    # then
    assert entry["task"] == "moderation.tasks.expire_proof_requests_task"
    assert isinstance(entry["schedule"], datetime.timedelta)
    assert entry["schedule"] <= datetime.timedelta(hours=1)
    assert entry["task"] in app.tasks
    route = app.amqp.router.route({}, entry["task"])
    assert route["queue"].name == "moderation"


# The document: moderators who may moderate the item, nobody else


def document_url(proof) -> str:
    return reverse("moderation:proof-document", args=[proof.pk])


@pytest.mark.req("NF-COL-5", "NF-MOD-4")
def test_a_moderator_downloads_the_document_as_an_attachment(client, uploaded, moderator):
    # given
    client.force_login(moderator)
    last_event = AuditEvent.objects.last()
    # when
    response = client.get(document_url(uploaded))
    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="preuve-{uploaded.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    # reading changes nothing, so it is no audit event
    assert AuditEvent.objects.last() == last_event


def test_the_document_is_still_readable_after_the_decision(client, uploaded, in_review, moderator):
    # given
    decide(open_item(in_review, WorkItem.Kind.PROOF), moderator, "accept_proof")
    client.force_login(moderator)
    # when
    response = client.get(document_url(uploaded))
    # then
    assert response.status_code == 200


def test_an_image_is_served_with_its_stored_type(client, in_review, moderator, customer):
    # given
    request_proof(in_review, moderator)
    proof = upload(in_review, customer, PNG, "facture.pdf")  # a PNG named .pdf
    client.force_login(moderator)
    # when
    response = client.get(document_url(proof))
    # then
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="preuve-{proof.pk}.png"'


@pytest.mark.req("NF-COL-5", "NF-MOD-4")
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("customer", 403),
        ("author", 403),
        ("brand owner", 403),
        ("brand agent", 403),
        ("moderator", 200),
        ("moderator tied to the brand", 403),
        ("moderator of other languages", 403),
        ("operator moderating French", 200),
        ("operator without languages", 403),
    ],
)
def test_who_may_read_the_document(client, uploaded, customer, brand, who, status):
    # given
    user = {
        "anonymous": lambda: None,
        "customer": lambda: UserFactory(),
        "author": lambda: customer,
        "brand owner": lambda: MembershipFactory(brand=brand, role="owner").user,
        "brand agent": lambda: MembershipFactory(brand=brand, role="agent").user,
        "moderator": lambda: UserFactory(role="moderator", moderation_languages=["fr"]),
        "moderator tied to the brand": lambda: (
            MembershipFactory(
                brand=brand,
                role="agent",
                user=UserFactory(role="moderator", moderation_languages=["fr"]),
            ).user
        ),
        "moderator of other languages": lambda: UserFactory(
            role="moderator", moderation_languages=["en"]
        ),
        "operator moderating French": lambda: UserFactory(
            role="operator", moderation_languages=["fr"]
        ),
        "operator without languages": lambda: UserFactory(role="operator"),
    }[who]()
    if user is not None:
        client.force_login(user)
    # when
    response = client.get(document_url(uploaded))
    # then
    assert response.status_code == status
    if status != 200:
        assert PDF not in response.content


def test_a_proof_without_a_document_or_unknown_is_not_found(client, in_review, moderator):
    # given
    proof = request_proof(in_review, moderator)  # asked, nothing sent yet
    client.force_login(moderator)
    # when / then
    assert client.get(document_url(proof)).status_code == 404
    assert client.get(reverse("moderation:proof-document", args=[999999])).status_code == 404


def test_non_moderators_cannot_probe_which_proofs_exist(client, uploaded):
    # given
    client.force_login(UserFactory())
    # when / then: the same answer for a proof that exists and one that does not
    assert client.get(document_url(uploaded)).status_code == 403
    assert client.get(reverse("moderation:proof-document", args=[999999])).status_code == 403


def test_the_document_view_only_reads(client, uploaded, moderator):
    # given
    client.force_login(moderator)
    # when
    response = client.post(document_url(uploaded))
    # then
    assert response.status_code == 405


def test_the_document_is_never_under_media_or_static(client, uploaded):
    # given: the stored name, e.g. proofs/2026/11/1.pdf
    name = uploaded.document.name
    # then: no public URL serves it
    for prefix in (settings.MEDIA_URL, settings.STATIC_URL, "/"):
        assert client.get(prefix + name).status_code == 404
    # and the private folder is outside every folder served publicly
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        public_path = Path(public).resolve()
        assert not private.is_relative_to(public_path)
        assert not public_path.is_relative_to(private)
