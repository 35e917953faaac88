"""Proofs of experience through the real services (tests only): a review a moderator doubts,
a request for proof, a document, a decision."""

import datetime

import pytest
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from moderation.models import ProofRequest, Submission, WorkItem
from moderation.services import decide_work_item, file_report
from reviews.models import Review
from reviews.services import submit_review, upload_review_proof

# Sent to a moderator by the insult check (a word that may or may not be one), never rejected.
DOUBTFUL = "Le vendeur est abruti par la fatigue, mais la boulangerie reste très correcte."
PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def fresh_private_storage(monkeypatch: pytest.MonkeyPatch) -> InMemoryStorage:
    """A fresh private storage for one test: the documents it stores, and nothing else. (The
    field took its storage from settings.STORAGES["private"] once, at import.)"""
    storage = InMemoryStorage()
    monkeypatch.setattr(ProofRequest._meta.get_field("document"), "storage", storage)
    return storage


def stored_files(storage: InMemoryStorage, folder: str = "") -> list[str]:
    """Every file name under the folder, recursively."""
    folders, files = storage.listdir(folder)
    prefix = f"{folder}/" if folder else ""
    return [prefix + name for name in files] + [
        name for sub in folders for name in stored_files(storage, prefix + sub)
    ]


def document(
    name: str = "facture.pdf", content: bytes = PDF, content_type: str = ""
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type or "application/pdf")


def submission_of(review: Review) -> Submission:
    return Submission.objects.get(kind="review", object_id=str(review.pk))


def open_item(review: Review, kind: str) -> WorkItem:
    return WorkItem.objects.get(
        submission=submission_of(review), kind=kind, state=WorkItem.State.OPEN
    )


def submit_in_review(author, brand) -> Review:  # type: ignore[no-untyped-def]
    """A review of the brand that the checks send to a moderator."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        review = submit_review(
            author=author,
            brand=brand,
            channel="in_store",
            rating=4,
            title="Très bonne boulangerie",
            text=DOUBTFUL,
            language="fr",
            experience_date=timezone.localdate() - datetime.timedelta(days=3),
            attested=True,
            client_ip="203.0.113.7",
            user_agent="Mozilla/5.0 Test",
        )
    review.refresh_from_db()
    assert review.status == Review.Status.IN_REVIEW
    return review


def decide(item: WorkItem, moderator, action: str, **fields) -> WorkItem:  # type: ignore[no-untyped-def]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return decide_work_item(item_id=item.pk, moderator=moderator, action=action, **fields)


def request_proof(review: Review, moderator, kind: str = WorkItem.Kind.REVIEW) -> ProofRequest:  # type: ignore[no-untyped-def]
    decide(open_item(review, kind), moderator, "request_proof")
    return ProofRequest.objects.get(
        submission=submission_of(review), status=ProofRequest.Status.REQUESTED
    )


def upload(review: Review, author, content: bytes = PDF, name: str = "facture.pdf") -> ProofRequest:  # type: ignore[no-untyped-def]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return upload_review_proof(
            review_id=review.pk, author=author, document=document(name, content)
        )


def report(review: Review, reporter, **fields) -> None:  # type: ignore[no-untyped-def]
    values = {
        "source": "code_of_conduct",
        "explanation": "Cette personne n'est jamais venue dans cette boutique.",
        "rule_code": "no_consumer_experience",
        **fields,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        file_report(kind="review", object_id=str(review.pk), reporter=reporter, **values)
