"""Reports on reviews through the real services (tests only): a published review, a notice,
the audit events and emails they cause, a moderator's decision."""

from typing import Any

from django.conf import settings
from django.core import mail
from django.test import TestCase

from audit.models import AuditEvent
from moderation.models import Report, Submission, WorkItem
from moderation.services import decide_work_item
from reviews.models import Review
from reviews.services import submit_review
from tests.reviews.publishing import submit_and_decide

EXPLANATION = "Cet avis révèle le nom et l'adresse d'une salariée, ce que la loi interdit."


def publish(author: Any, review_input: dict[str, Any]) -> Review:
    """A review published by the pipeline; the author's decision email is left out of the
    outbox, so that tests see only the emails about reports."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        review = submit_review(author=author, **review_input)
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    mail.outbox.clear()
    return review


def another_review(brand: Any, moderator: Any) -> Review:
    """One more published review of the brand, by a new author, with a text of its own."""
    review = submit_and_decide(brand=brand, moderator=moderator)
    assert review.status == Review.Status.PUBLISHED
    mail.outbox.clear()
    return review


def review_page(review: Review) -> str:
    return f"{settings.SITE_URL}/avis/{review.pk}/historique/"


def notice_fields(review: Review, **overrides: Any) -> dict[str, Any]:
    """A complete notice of illegal content, as the web form posts it."""
    fields = {
        "notice-source": "illegal_content",
        "notice-explanation": EXPLANATION,
        "notice-location_url": review_page(review),
        "notice-notifier_name": "Jeanne Martin",
        "notice-notifier_email": "jeanne.martin@example.net",
        "notice-good_faith_confirmed": "on",
    }
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def last_event_id() -> int:
    event = AuditEvent.objects.order_by("-id").first()
    return event.pk if event else 0


def events_after(event_id: int) -> list[tuple[str, str, str]]:
    """(action, object type, to status) of the audit events written since `event_id`."""
    return list(
        AuditEvent.objects.filter(id__gt=event_id)
        .order_by("id")
        .values_list("action", "object_type", "to_status")
    )


def filed_events() -> list[tuple[str, str, str]]:
    return [
        (AuditEvent.Action.REPORT_FILED, "moderation.report", "open"),
        (AuditEvent.Action.WORK_ITEM_OPENED, "moderation.workitem", "open"),
    ]


def report_row(report: Report) -> dict[str, Any]:
    """The fields a filed report must have, with the times left out."""
    return {
        "submission_id": report.submission_id,
        "source": report.source,
        "reporter_id": report.reporter_id,
        "trusted_flagger": report.trusted_flagger,
        "rule_code": report.rule_code,
        "flag_reason": report.flag_reason,
        "explanation": report.explanation,
        "location_url": report.location_url,
        "notifier_name": report.notifier_name,
        "notifier_email": report.notifier_email,
        "good_faith_confirmed": report.good_faith_confirmed,
        "status": report.status,
        "decided_at": report.decided_at,
        "manifestly_unfounded": report.manifestly_unfounded,
    }


def submission_of(review: Review) -> Submission:
    return Submission.objects.get(kind="review", object_id=str(review.pk))


def report_item(report: Report) -> WorkItem:
    return WorkItem.objects.get(report=report)


def decide(report: Report, moderator: Any, action: str, **fields: Any) -> Report:
    """A moderator decides the report's work item; the emails go out (eager tasks)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        decide_work_item(
            item_id=report_item(report).pk, moderator=moderator, action=action, **fields
        )
    report.refresh_from_db()
    return report
