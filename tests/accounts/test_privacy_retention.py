"""The retention purge (accounts/privacy.py): what passed its stated period is removed, never
earlier (ISO-MOD-3); and the privacy page states the same periods (FR-11)."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import PersonalDataPurge, User
from accounts.privacy import purge_expired_personal_data
from accounts.tasks import purge_expired_personal_data_task
from audit.models import AuditEvent
from brands.models import Invitation, WebhookDelivery, WebhookEndpoint
from moderation.information import describe_duration
from moderation.models import Appeal, ProofRequest, Report, Submission
from reviews.models import Review
from tests.accounts.privacy_support import invitation_for
from tests.factories import UserFactory
from tests.reviews.publishing import submit_and_decide

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


def purge(now):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return purge_expired_personal_data(now=now)


@pytest.fixture
def review(brand, moderator):
    return submit_and_decide(brand=brand, moderator=moderator)


# BOUNDARIES: one second before the period ends, kept; one second after, purged
# ------------------------------------------------------------------------------


@pytest.mark.req("ISO-MOD-3")
def test_network_hashes_are_kept_until_their_period_ends(review):
    # given
    assert review.network_hash != ""
    assert review.device_hash != ""
    ends = review.submitted_at + settings.NETWORK_HASH_RETENTION
    # when / then
    counts = purge(ends - SECOND)
    assert (counts["review_hashes"], counts["submission_hashes"]) == (0, 0)
    review.refresh_from_db()
    assert review.network_hash != ""
    counts = purge(ends + SECOND)
    assert (counts["review_hashes"], counts["submission_hashes"]) == (1, 1)
    review.refresh_from_db()
    submission = Submission.objects.get(kind="review", object_id=str(review.pk))
    assert (review.network_hash, review.device_hash) == ("", "")
    assert (submission.network_hash, submission.device_hash) == ("", "")
    assert review.status == Review.Status.PUBLISHED  # the review itself stays


@pytest.mark.req("ISO-MOD-3")
@pytest.mark.parametrize("last_event", ["sent_at", "reminded_at", "reviewed_at", "opted_out_at"])
def test_an_invitations_personal_data_is_kept_until_its_period_ends(brand, last_event):
    # given an invitation created and sent long ago, whose last event is recent
    long_ago = timezone.now() - 3 * settings.INVITATION_PERSONAL_DATA_RETENTION
    recent = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)
    invitation = invitation_for(
        brand=brand,
        email="ines@example.net",
        name="Inès Petit",
        order="ORD-1",
        created_at=long_ago,
        sent_at=long_ago,
    )
    Invitation.objects.filter(pk=invitation.pk).update(**{last_event: recent})
    ends = recent + settings.INVITATION_PERSONAL_DATA_RETENTION
    # when / then
    assert purge(ends - SECOND)["invitations"] == 0
    invitation.refresh_from_db()
    assert (invitation.email, invitation.name, invitation.order_reference) == (
        "ines@example.net",
        "Inès Petit",
        "ORD-1",
    )
    assert purge(ends + SECOND)["invitations"] == 1
    invitation.refresh_from_db()
    assert (invitation.email, invitation.name) == ("", "")
    assert invitation.order_reference == f"purged-{invitation.pk}"
    assert invitation.product == "Galette des rois"  # what the brand asked about stays


def test_an_invitation_still_to_be_sent_is_never_purged(brand):
    # given
    long_ago = timezone.now() - 3 * settings.INVITATION_PERSONAL_DATA_RETENTION
    invitation_for(
        brand=brand,
        email="ines@example.net",
        name="Inès",
        order="ORD-2",
        status=Invitation.Status.SCHEDULED,
        sent_at=None,
        created_at=long_ago,
    )
    # when / then
    assert purge(timezone.now())["invitations"] == 0


@pytest.mark.req("ISO-MOD-3", "DSA-4")
def test_a_notifiers_contact_is_kept_until_its_period_after_the_decision(review):
    # given a decided notice by someone without an account, and their appeal
    submission = Submission.objects.get(kind="review", object_id=str(review.pk))
    decided = timezone.now().replace(microsecond=0)
    report = Report.objects.create(
        submission=submission,
        source=Report.Source.ILLEGAL_CONTENT,
        explanation="Ce texte révèle l'adresse d'une personne.",
        notifier_name="Jeanne Martin",
        notifier_email="jeanne@example.net",
        created_at=decided,
        status=Report.Status.DISMISSED,
        decided_at=decided,
    )
    appeal = Appeal.objects.create(
        submission=submission,
        report=report,
        appellant_name="Jeanne Martin",
        appellant_email="jeanne@example.net",
        explanation="Je conteste.",
        created_at=decided,
        status=Appeal.Status.UPHELD,
        decided_at=decided,
        decided_by=UserFactory(role="moderator"),
    )
    ends = decided + settings.REPORT_CONTACT_RETENTION
    # when / then
    counts = purge(ends - SECOND)
    assert (counts["report_contacts"], counts["appeal_contacts"]) == (0, 0)
    counts = purge(ends + SECOND)
    assert (counts["report_contacts"], counts["appeal_contacts"]) == (1, 1)
    report.refresh_from_db()
    appeal.refresh_from_db()
    assert (report.notifier_name, report.notifier_email) == ("", "")
    assert (appeal.appellant_name, appeal.appellant_email) == ("", "purged@erased.invalid")
    assert report.explanation == "Ce texte révèle l'adresse d'une personne."


def test_an_open_reports_contact_is_never_purged(review):
    # given
    submission = Submission.objects.get(kind="review", object_id=str(review.pk))
    Report.objects.create(
        submission=submission,
        source=Report.Source.ILLEGAL_CONTENT,
        explanation="Ce texte révèle l'adresse d'une personne.",
        notifier_name="Jeanne Martin",
        notifier_email="jeanne@example.net",
        created_at=timezone.now() - 5 * settings.REPORT_CONTACT_RETENTION,
    )
    # when / then
    assert purge(timezone.now())["report_contacts"] == 0


@pytest.mark.req("ISO-MOD-3", "NF-COL-5")
def test_a_proof_file_is_kept_until_its_period_after_the_decision(review, moderator):
    # given an accepted proof and its file in the private storage
    submission = Submission.objects.get(kind="review", object_id=str(review.pk))
    decided = timezone.now().replace(microsecond=0)
    proof = ProofRequest.objects.create(
        submission=submission,
        requested_by=moderator,
        requested_at=decided,
        deadline=decided,
        status=ProofRequest.Status.ACCEPTED,
        decided_at=decided,
        decided_by=moderator,
    )
    proof.document.save("facture.pdf", ContentFile(b"%PDF-1.4 facture"), save=True)
    name, storage = proof.document.name, proof.document.storage
    ends = decided + settings.PROOF_FILE_RETENTION
    # when / then
    assert purge(ends - SECOND)["proof_files"] == 0
    assert storage.exists(name)
    assert purge(ends + SECOND)["proof_files"] == 1
    proof.refresh_from_db()
    assert proof.document.name == ""
    assert not storage.exists(name)
    assert proof.status == ProofRequest.Status.ACCEPTED  # the record of the examination stays


@pytest.mark.req("ISO-MOD-3")
def test_erasing_an_account_keeps_a_refused_proof_until_its_period(review, moderator):
    # given: two proofs of the member, one accepted, one refused (its review was restricted)
    from accounts.privacy import erase_account

    submission = Submission.objects.get(kind="review", object_id=str(review.pk))
    decided = timezone.now().replace(microsecond=0)
    files = {}
    for status in (ProofRequest.Status.ACCEPTED, ProofRequest.Status.REFUSED):
        proof = ProofRequest.objects.create(
            submission=submission,
            requested_by=moderator,
            requested_at=decided,
            deadline=decided,
            status=status,
            decided_at=decided,
            decided_by=moderator,
        )
        proof.document.save("facture.pdf", ContentFile(b"%PDF-1.4 facture"), save=True)
        files[status] = (proof.document.storage, proof.document.name)
    # when: the member erases their account
    with TestCase.captureOnCommitCallbacks(execute=True):
        erase_account(user_id=review.author_id, actor=review.author, reviews="keep")
    # then: the accepted proof's file is gone; the refused one's stays, as the record of a
    # restricted review, until the purge after PROOF_FILE_RETENTION (a year at least)
    storage, name = files[ProofRequest.Status.ACCEPTED]
    assert not storage.exists(name)
    storage, name = files[ProofRequest.Status.REFUSED]
    assert storage.exists(name)
    assert purge(decided + settings.PROOF_FILE_RETENTION - SECOND)["proof_files"] == 0
    assert purge(decided + settings.PROOF_FILE_RETENTION + SECOND)["proof_files"] == 1
    assert not storage.exists(name)


def test_a_proof_being_examined_keeps_its_file(review, moderator):
    # given
    submission = Submission.objects.get(kind="review", object_id=str(review.pk))
    long_ago = timezone.now() - 5 * settings.PROOF_FILE_RETENTION
    proof = ProofRequest.objects.create(
        submission=submission,
        requested_by=moderator,
        requested_at=long_ago,
        deadline=long_ago,
        status=ProofRequest.Status.SUBMITTED,
        uploaded_at=long_ago,
    )
    proof.document.save("facture.pdf", ContentFile(b"%PDF-1.4 facture"), save=True)
    # when / then
    assert purge(timezone.now())["proof_files"] == 0


def test_webhook_deliveries_are_kept_until_their_period_ends(brand, brand_owner):
    # given a delivered and a still pending delivery of the same age
    created = timezone.now().replace(microsecond=0)
    endpoint = WebhookEndpoint.objects.create(
        brand=brand,
        url="https://hooks.dupain.fr/voix",
        secret="s" * 32,
        events=["review.published"],
        created_at=created,
        created_by=brand_owner,
    )
    for n, status in enumerate([WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.PENDING]):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="review.published",
            payload={"review": {"id": n}},
            idempotency_key=f"review.published:review:{n}:1",
            status=status,
            created_at=created,
        )
    ends = created + settings.WEBHOOK_DELIVERY_RETENTION
    # when / then
    assert purge(ends - SECOND)["webhook_deliveries"] == 0
    assert purge(ends + SECOND)["webhook_deliveries"] == 1
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"]


def test_an_unverified_account_is_erased_when_its_period_ends(unverified_user, operator):
    # given an operator made with createsuperuser, also unverified
    User.objects.filter(pk=operator.pk).update(email_verified_at=None)
    ends = unverified_user.date_joined + settings.UNVERIFIED_ACCOUNT_RETENTION
    # when / then
    assert purge(ends - SECOND)["unverified_accounts"] == 0
    assert purge(ends + SECOND)["unverified_accounts"] == 1
    unverified_user.refresh_from_db()
    operator.refresh_from_db()
    assert unverified_user.erased_at is not None
    assert unverified_user.email == f"erased-{unverified_user.pk}@erased.invalid"
    assert operator.erased_at is None
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_ERASED).get()
    assert (event.actor_id, event.details["requested_by"]) == (None, "retention")


# THE TASK
# ------------------------------------------------------------------------------


@pytest.mark.req("ISO-MOD-3")
def test_a_purge_is_audited_with_counts_and_a_second_run_finds_nothing(review):
    # given
    later = review.submitted_at + settings.NETWORK_HASH_RETENTION + SECOND
    # when
    first = purge(later)
    second = purge(later)
    # then
    assert (first["review_hashes"], first["submission_hashes"]) == (1, 1)
    assert set(second.values()) == {0}
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_PURGED)
    assert event.actor_id is None
    assert event.details == {"counts": {"review_hashes": 1, "submission_hashes": 1}}
    assert PersonalDataPurge.objects.get().counts == {"review_hashes": 1, "submission_hashes": 1}


def test_the_task_runs_hourly_and_purges(db):
    # given
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-personal-data"]
    # when
    counts = purge_expired_personal_data_task.delay().get()
    # then
    assert entry["task"] == "accounts.tasks.purge_expired_personal_data_task"
    assert entry["schedule"] == datetime.timedelta(hours=1)
    assert set(counts) >= {"review_hashes", "invitations", "proof_files", "unverified_accounts"}


@pytest.mark.req("ISO-MOD-3")
def test_the_stated_periods_keep_illicit_reviews_attachments_at_least_a_year():
    # then
    year = datetime.timedelta(days=365)
    assert year <= settings.PROOF_FILE_RETENTION
    assert year <= settings.REVIEW_RETENTION
    assert settings.REPORT_CONTACT_RETENTION >= settings.APPEAL_WINDOW
    assert settings.INVITATION_PERSONAL_DATA_RETENTION > settings.INVITATION_LINK_MAX_AGE


# THE PRIVACY PAGE
# ------------------------------------------------------------------------------

PERIODS = {
    "account": "UNVERIFIED_ACCOUNT_RETENTION",
    "reviews": "REVIEW_RETENTION",
    "network": "NETWORK_HASH_RETENTION",
    "invitations": "INVITATION_PERSONAL_DATA_RETENTION",
    "reports": "REPORT_CONTACT_RETENTION",
    "proofs": "PROOF_FILE_RETENTION",
    "webhooks": "WEBHOOK_DELIVERY_RETENTION",
}


def retention_cells(client, language):
    html = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    cells = re.findall(r'<td class="retention" id="retention-(\w+)">(.*?)</td>', html, re.S)
    return {key: " ".join(text.split()) for key, text in cells}


@pytest.mark.req("FR-11", "FR-10")
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_privacy_page_states_each_period_from_the_settings(client, db, settings, language):
    # given periods no default has
    for n, name in enumerate(PERIODS.values()):
        setattr(settings, name, datetime.timedelta(days=401 + n))
    # when
    cells = retention_cells(client, language)
    # then
    with translation.override(language):
        for n, key in enumerate(PERIODS):
            assert describe_duration(datetime.timedelta(days=401 + n)) in cells[key], key
    # and when the operator changes one, the page follows
    settings.NETWORK_HASH_RETENTION = datetime.timedelta(days=2 * 365)
    with translation.override(language):
        assert (
            describe_duration(settings.NETWORK_HASH_RETENTION)
            in retention_cells(client, language)["network"]
        )


def test_the_privacy_page_is_linked_from_every_page_and_names_the_contact(client, db, settings):
    # given
    settings.PRIVACY_CONTACT_EMAIL = "dpo@voix.example"
    # when
    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert f'href="{reverse("privacy")}"' in home
    assert 'href="mailto:dpo@voix.example"' in page
    assert f'href="{reverse("erase-account")}"' in page
    assert f'href="{reverse("my-data")}"' in page


def test_the_brands_invitation_list_shows_a_purged_invitation_without_its_data(
    client, brand, brand_owner
):
    # given a purged invitation
    long_ago = timezone.now() - 2 * settings.INVITATION_PERSONAL_DATA_RETENTION
    invitation = invitation_for(
        brand=brand,
        email="ines@example.net",
        name="Inès Petit",
        order="ORD-9",
        created_at=long_ago,
        sent_at=long_ago,
    )
    purge(timezone.now())
    client.force_login(brand_owner)
    # when
    response = client.get(reverse("brand-invitations", args=[brand.slug]))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert f"purged-{invitation.pk}" in page
    assert "ines@example.net" not in page
    assert "Inès Petit" not in page
