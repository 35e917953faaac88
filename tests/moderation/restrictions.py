"""Restricted reviews, their statements of reasons and appeals, through the real services and
pipeline (tests only). Every helper runs the after-commit work, so the emails are sent."""

import datetime
import itertools
from typing import Any

from django.core import mail
from django.test import TestCase
from django.utils import timezone, translation
from django.utils.formats import date_format

from moderation.models import Appeal, Decision, Report, StatementOfReasons, Submission, WorkItem
from moderation.services import decide_work_item, file_appeal, file_report
from reviews.models import Review
from reviews.services import submit_review
from tests.factories import UserFactory
from tests.moderation.workspace import review_for_moderator
from tests.reviews.publishing import review_text

_n = itertools.count(1)

# The pipeline rejects this on its own (rule "insult"); "salauds" is the term found.
INSULTING = "Bande de salauds, rendez-moi mon argent : trois semaines sans nouvelles du colis."
NOTICE = "Cet avis accuse nommément le gérant d'un vol, sans aucune preuve : c'est diffamatoire."


def _fields(brand: Any, text: str, **overrides: Any) -> dict[str, Any]:
    n = next(_n)
    return {
        "brand": brand,
        "place": None,
        "channel": "in_store",
        "rating": 2,
        "title": f"Avis restreint {n}",
        "text": f"{text} Visite n°{n}.",
        "language": "fr",
        "experience_date": timezone.localdate() - datetime.timedelta(days=2),
        "attested": True,
        "client_ip": f"192.0.2.{n % 250}",
        "user_agent": f"Restricted/{n}",
        **overrides,
    }


def submission_of(review: Review) -> Submission:
    return Submission.objects.get(kind="review", object_id=str(review.pk))


def statement_of(review: Review) -> StatementOfReasons:
    return StatementOfReasons.objects.filter(submission=submission_of(review)).latest("id")


def rejected_by_pipeline(*, author: Any, brand: Any, **overrides: Any) -> Review:
    """A review the automated checks reject under "insult"."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        review = submit_review(author=author, **_fields(brand, INSULTING, **overrides))
    review.refresh_from_db()
    assert (review.status, review.rule_code) == (Review.Status.REJECTED, "insult")
    return review


def published(*, author: Any, brand: Any, **overrides: Any) -> Review:
    """A review the checks publish: each with a text of its own (no near-duplicates)."""
    fields = _fields(brand, "", rating=4, **overrides)
    fields["text"] = review_text(4)
    with TestCase.captureOnCommitCallbacks(execute=True):
        review = submit_review(author=author, **fields)
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    return review


def decide(item: WorkItem, moderator: Any, action: str, **fields: Any) -> WorkItem:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return decide_work_item(item_id=item.pk, moderator=moderator, action=action, **fields)


def decided_by_moderator(
    *, author: Any, brand: Any, moderator: Any, action: str, rule_code: str = ""
) -> Review:
    """A review the pipeline sends to a moderator, who decides it (reject, label, ...)."""
    review, item = review_for_moderator(brand=brand, author=author)
    decide(item, moderator, action, rule_code=rule_code)
    review.refresh_from_db()
    return review


def notify(review: Review, *, reporter: Any, **fields: Any) -> Report:
    """A notice of illegal content (DSA art. 16) on a published review, by an account."""
    values = {
        "source": Report.Source.ILLEGAL_CONTENT,
        "explanation": NOTICE,
        "rule_code": "defamation",
        "location_url": f"https://voix.example/avis/{review.pk}/historique/",
        "good_faith_confirmed": True,
        **fields,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        return file_report(kind="review", object_id=str(review.pk), reporter=reporter, **values)


def item_of(*, report: Report | None = None, appeal: Appeal | None = None) -> WorkItem:
    if report is not None:
        return WorkItem.objects.get(report=report)
    return WorkItem.objects.get(appeal=appeal)


def removed_after_notice(
    *, author: Any, brand: Any, reporter: Any, moderator: Any
) -> tuple[Review, Report]:
    """A published review, a notice of illegal content, and a moderator who removes it under
    "defamation" (an illegal-content ground)."""
    review = published(author=author, brand=brand)
    report = notify(review, reporter=reporter)
    decide(item_of(report=report), moderator, "remove", rule_code="defamation")
    review.refresh_from_db()
    report.refresh_from_db()
    assert (review.status, report.status) == (Review.Status.REMOVED, Report.Status.UPHELD)
    return review, report


def dismissed_notice(*, author: Any, brand: Any, reporter: Any, moderator: Any) -> Report:
    review = published(author=author, brand=brand)
    report = notify(review, reporter=reporter)
    decide(item_of(report=report), moderator, "dismiss")
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    return report


def appeal(appellant: Any, **fields: Any) -> Appeal:
    fields.setdefault("explanation", "Mon avis décrit fidèlement ce que j'ai vécu ce jour-là.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return file_appeal(appellant=appellant, **fields)


def decision_of(review: Review) -> Decision:
    review.refresh_from_db()
    return Decision.objects.get(pk=review.decision_id)


def another_moderator() -> Any:
    return UserFactory(role="moderator", moderation_languages=["fr", "en"])


def clear_outbox() -> None:
    mail.outbox.clear()


def english_date(moment: datetime.datetime, format_name: str = "DATE_FORMAT") -> str:
    """A time as an English page or email shows it: in the site's time zone."""
    with translation.override("en"):
        return date_format(timezone.localtime(moment), format_name)
