"""Work items in place for the workspace tests: real reviews sent to a moderator by the real
pipeline, reports and appeals through the real services (tests only)."""

import datetime
import itertools
from typing import Any

from django.test import TestCase
from django.utils import timezone

from moderation.models import Submission, WorkItem
from reviews.models import Review
from reviews.services import submit_review
from tests.factories import UserFactory

_n = itertools.count(1)

# Sends a review to a moderator (quoted insult: a human decides), never rejects it alone.
DOUBTFUL = "Le vendeur est abruti par la fatigue, mais la boulangerie reste très correcte."


def review_for_moderator(
    *, brand: Any, author: Any = None, text: str = DOUBTFUL, **fields: Any
) -> tuple[Review, WorkItem]:
    """Submit a review that the pipeline sends to a moderator; returns it and its open item."""
    n = next(_n)
    values = {
        "brand": brand,
        "place": None,
        "channel": "in_store",
        "rating": 4,
        "title": f"Avis à examiner {n}",
        "text": f"{text} Visite n°{n}.",
        "language": "fr",
        "experience_date": timezone.localdate() - datetime.timedelta(days=2),
        "attested": True,
        "client_ip": f"198.51.{n % 250}.7",
        "user_agent": f"Agent/{n}",
        **fields,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        review = submit_review(author=author or UserFactory(), **values)
    submission = Submission.objects.get(kind="review", object_id=str(review.pk))
    assert submission.state == Submission.State.IN_REVIEW, submission.decisions.last()
    item = WorkItem.objects.get(submission=submission, kind=WorkItem.Kind.REVIEW)
    review.refresh_from_db()
    return review, item


def open_item(
    submission: Submission,
    *,
    kind: str = WorkItem.Kind.REVIEW,
    due_at: datetime.datetime | None = None,
    priority: int = 1,
    rule_code: str = "",
    excluded_moderator: Any = None,
    created_at: datetime.datetime | None = None,
) -> WorkItem:
    """Put a (fake-kind) submission in the queue as the engine does, with the due time,
    priority and exclusion a test needs."""
    from django.db import transaction

    from moderation.services import _open_work_item

    with transaction.atomic():
        if kind == WorkItem.Kind.REVIEW:
            Submission.objects.filter(pk=submission.pk).update(state=Submission.State.IN_REVIEW)
            submission.refresh_from_db()
        item = _open_work_item(
            kind=kind,
            submission=submission,
            due_at=due_at or submission.submitted_at + datetime.timedelta(days=1),
            priority=priority,
            rule_code=rule_code,
            excluded_moderator=excluded_moderator,
        )
    if created_at is not None:
        WorkItem.objects.filter(pk=item.pk).update(created_at=created_at)
        item.refresh_from_db()
    return item


def events(action: str, **lookup: Any) -> list[Any]:
    from audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action, **lookup).order_by("id"))


CLEAN = (
    "Accueil chaleureux, pain encore tiède et croissants croustillants. "
    "J'y retourne chaque samedi matin avec plaisir."
)


def published_review(*, brand: Any, author: Any = None, **fields: Any) -> Review:
    """A review the pipeline publishes on its own."""
    n = next(_n)
    values = {
        "brand": brand,
        "place": None,
        "channel": "in_store",
        "rating": 4,
        "title": f"Avis publié {n}",
        "text": f"{CLEAN} Visite n°{n}.",
        "language": "fr",
        "experience_date": timezone.localdate() - datetime.timedelta(days=2),
        "attested": True,
        "client_ip": f"192.0.{n % 250}.9",
        "user_agent": f"Agent/{n}",
        **fields,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        review = submit_review(author=author or UserFactory(), **values)
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    return review


def report_item(review: Review, *, reporter: Any, rule_code: str = "insult") -> WorkItem:
    """A report under the code of conduct on a published review, and its open item."""
    from moderation.models import Report
    from moderation.services import file_report

    with TestCase.captureOnCommitCallbacks(execute=True):
        report = file_report(
            kind="review",
            object_id=str(review.pk),
            source=Report.Source.CODE_OF_CONDUCT,
            reporter=reporter,
            explanation="Ce texte insulte le vendeur, il enfreint la charte.",
            rule_code=rule_code,
        )
    return WorkItem.objects.get(report=report)
