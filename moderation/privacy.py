"""Personal data held by the moderation engine: reports and appeals a person filed (with their
contact details), proofs of experience (files), reporting sanctions, and the network and device
hashes of submissions (registered with accounts.privacy in ModerationConfig.ready())."""

from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from accounts.models import ERASED_EMAIL_DOMAIN, User
from moderation.models import Appeal, ProofRequest, Report, ReportingSanction, Submission

# An appeal by a notifier without an account must keep an address (a check constraint): once
# its contact details are purged, it keeps this one, which reaches nobody (RFC 2606).
PURGED_EMAIL = f"purged@{ERASED_EMAIL_DOMAIN}"
# Proofs whose examination is over: their file is kept PROOF_FILE_RETENTION after that.
CLOSED_PROOF_STATUSES = (
    ProofRequest.Status.ACCEPTED,
    ProofRequest.Status.REFUSED,
    ProofRequest.Status.EXPIRED,
    ProofRequest.Status.WITHDRAWN,
)


def _reports_of(user: User, email: str) -> Any:
    return Report.objects.filter(
        Q(reporter=user) | Q(reporter__isnull=True, notifier_email__iexact=email)
    )


def _appeals_of(user: User, email: str) -> Any:
    return Appeal.objects.filter(
        Q(appellant=user) | Q(appellant__isnull=True, appellant_email__iexact=email)
    )


def export_moderation(*, user: User) -> dict[str, Any]:
    return {
        # Reports and notices filed with the account, or without one from the same address.
        "reports": [
            {
                "id": report.pk,
                "about": {"kind": report.submission.kind, "id": report.submission.object_id},
                "source": report.source,
                "rule": report.rule_code,
                "flag_reason": report.flag_reason,
                "explanation": report.explanation,
                "location_url": report.location_url,
                "notifier_name": report.notifier_name,
                "notifier_email": report.notifier_email,
                "status": report.status,
                "created_at": report.created_at,
                "decided_at": report.decided_at,
            }
            for report in _reports_of(user, user.email).select_related("submission").order_by("id")
        ],
        "appeals": [
            {
                "id": appeal.pk,
                "about": {"kind": appeal.submission.kind, "id": appeal.submission.object_id},
                "explanation": appeal.explanation,
                "status": appeal.status,
                "reasons": appeal.reasons,
                "created_at": appeal.created_at,
                "decided_at": appeal.decided_at,
            }
            for appeal in _appeals_of(user, user.email).select_related("submission").order_by("id")
        ],
        # Proofs of experience asked of the member; the files themselves are not copied here.
        "proofs": [
            {
                "id": proof.pk,
                "about": {"kind": proof.submission.kind, "id": proof.submission.object_id},
                "status": proof.status,
                "requested_at": proof.requested_at,
                "deadline": proof.deadline,
                "uploaded_at": proof.uploaded_at,
                "content_type": proof.content_type,
                "size": proof.size,
                "decided_at": proof.decided_at,
            }
            for proof in ProofRequest.objects.filter(submission__author=user)
            .select_related("submission")
            .order_by("id")
        ],
        "reporting_sanctions": [
            {"kind": sanction.kind, "created_at": sanction.created_at, "ends_at": sanction.ends_at}
            for sanction in ReportingSanction.objects.filter(user=user).order_by("id")
        ],
    }


def erase_moderation(*, user: User, email: str, keep_reviews: bool) -> dict[str, int]:
    """Contact details on reports and appeals, proof files, and the hashes and email domain
    snapshotted with each submission. Reports, appeals and decisions themselves stay: they
    are the record of moderation (DSA art. 15 and 24)."""
    reports = (
        _reports_of(user, email)
        .exclude(notifier_name="", notifier_email="")
        .update(notifier_name="", notifier_email="")
    )
    appeals = (
        _appeals_of(user, email)
        .filter(appellant=user)
        .exclude(appellant_name="", appellant_email="")
        .update(appellant_name="", appellant_email="")
    )
    appeals += (
        _appeals_of(user, email)
        .filter(appellant__isnull=True)
        .update(appellant_name="", appellant_email=PURGED_EMAIL)
    )
    submissions = (
        Submission.objects.filter(author=user)
        .exclude(network_hash="", device_hash="", author_email_domain="")
        .update(network_hash="", device_hash="", author_email_domain="")
    )
    # A refused proof is part of the record of a restricted review: kept PROOF_FILE_RETENTION
    # after its decision like any other (ISO-MOD-3: a year at least), then purged.
    proofs = _delete_proof_files(
        ProofRequest.objects.filter(submission__author=user)
        .exclude(document="")
        .exclude(status=ProofRequest.Status.REFUSED)
    )
    return {
        "report_contacts_erased": reports,
        "appeal_contacts_erased": appeals,
        "submission_hashes_erased": submissions,
        "proof_files_deleted": proofs,
    }


def purge_moderation(*, now: datetime) -> dict[str, int]:
    contact_cutoff = now - settings.REPORT_CONTACT_RETENTION
    reports = (
        Report.objects.filter(decided_at__lt=contact_cutoff)
        .exclude(notifier_name="", notifier_email="")
        .update(notifier_name="", notifier_email="")
    )
    decided_appeals = Appeal.objects.filter(decided_at__lt=contact_cutoff)
    appeals = (
        decided_appeals.filter(appellant__isnull=False)
        .exclude(appellant_name="", appellant_email="")
        .update(appellant_name="", appellant_email="")
    )
    appeals += (
        decided_appeals.filter(appellant__isnull=True)
        .exclude(appellant_name="", appellant_email=PURGED_EMAIL)
        .update(appellant_name="", appellant_email=PURGED_EMAIL)
    )
    hashes = (
        Submission.objects.filter(submitted_at__lt=now - settings.NETWORK_HASH_RETENTION)
        .exclude(network_hash="", device_hash="")
        .update(network_hash="", device_hash="")
    )
    proofs = _delete_proof_files(
        ProofRequest.objects.filter(status__in=CLOSED_PROOF_STATUSES)
        .exclude(document="")
        .alias(closed_at=Coalesce("decided_at", "uploaded_at", "requested_at"))
        .filter(closed_at__lt=now - settings.PROOF_FILE_RETENTION)
    )
    return {
        "report_contacts": reports,
        "appeal_contacts": appeals,
        "submission_hashes": hashes,
        "proof_files": proofs,
    }


def _delete_proof_files(proofs: Any) -> int:
    """Forget the files in the database now; delete them from storage once that is committed
    (a rolled-back purge must not lose a file the database still names)."""
    deleted = 0
    for proof in proofs.select_for_update():
        storage, name = proof.document.storage, proof.document.name
        ProofRequest.objects.filter(pk=proof.pk).update(document="")
        transaction.on_commit(partial(storage.delete, name))
        deleted += 1
    return deleted
