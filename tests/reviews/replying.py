"""Brand replies through the real services and pipeline (tests only): a published review, the
brand's members in every role, a reply published or left to a moderator."""

from typing import Any

from django.test import TestCase

from audit.models import AuditEvent
from moderation.models import Decision, Submission
from moderation.services import decide_submission
from reviews.models import ReplyVersion, Review
from reviews.reply_services import reply_to_review, update_reply

CLEAN_REPLY = (
    "Merci beaucoup pour votre retour, toute l'équipe de la boulangerie est ravie de vous "
    "compter parmi nos clients fidèles. À très bientôt !"
)
UPDATED_REPLY = (
    "Merci encore pour votre retour : nous avons ajouté des croissants aux amandes le samedi, "
    "comme vous le suggériez. Au plaisir de vous revoir."
)
# Every role the permission tests go through, and whether it may reply for the brand.
ROLES = [
    ("owner", True),
    ("manager", True),
    ("agent", True),
    ("customer", False),
    ("author", False),
    ("other_brand_member", False),
    ("moderator", False),
    ("operator", False),
]


def reply(review: Review, member: Any, text: str = CLEAN_REPLY) -> ReplyVersion:
    """Reply and let the pipeline decide (eager tasks after commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        version = reply_to_review(review_id=review.pk, member=member, text=text)
    version.refresh_from_db()
    return version


def update(review: Review, member: Any, text: str = UPDATED_REPLY) -> ReplyVersion:
    with TestCase.captureOnCommitCallbacks(execute=True):
        version = update_reply(review_id=review.pk, member=member, text=text)
    version.refresh_from_db()
    return version


def submission_of(version: ReplyVersion) -> Submission:
    return Submission.objects.get(kind="reply", object_id=str(version.pk))


def moderator_decides(version: ReplyVersion, moderator: Any, outcome: str, rule: str = "") -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        decide_submission(
            submission_id=submission_of(version).pk,
            moderator=moderator,
            outcome=Decision.Outcome(outcome),
            rule_code=rule,
        )
    version.refresh_from_db()


def reply_events(version: ReplyVersion) -> list[tuple[str, str, str, str]]:
    """(action, from, to, rule) of the version's own audit events, in chain order."""
    return list(
        AuditEvent.objects.filter(
            object_type="reviews.replyversion", object_id=str(version.pk)
        ).values_list("action", "from_status", "to_status", "rule_code")
    )
