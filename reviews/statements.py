"""A review's statements of reasons as its author reads them (DSA art. 17), and where the
appeal against each stands (DSA art. 20).

One template renders a statement, `reviews/statement.html`: the statement's page in the author's
account and the decision email include it with the context `statement_context` builds.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from moderation.models import Appeal, Decision, StatementOfReasons, Submission
from moderation.rules import get_rule
from moderation.selectors import get_latest_proof_request
from moderation.services import appeal_deadline
from moderation.statements import (
    ILLEGAL,
    ODS_BODIES_URL,
    AppealWindow,
    found_by_checks,
    get_appeal_window,
    get_latest_statement,
    origin_label,
    statement_rule,
)
from reviews.models import Review

# The rule a review is restricted under when no proof of the experience comes (see
# moderation.services._settle_proof).
PROOF_RULE = "no_consumer_experience"


def get_review_statement(review: Review) -> StatementOfReasons | None:
    """The review's last statement of reasons, if it was ever restricted."""
    return get_latest_statement(kind="review", object_id=str(review.pk))


def with_restrictions(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Each review with its last statement of reasons and the state of its appeal, for
    `appeal_window_of`, in the same query: `statement_decision_id` (None if the review was
    never restricted), `statement_informed_at`, `latest_decision_id`, `appeal_status`,
    `appeal_decided_at`."""
    submission = Submission.objects.filter(
        kind="review", object_id=Cast(OuterRef("pk"), output_field=CharField())
    ).values("pk")[:1]
    statements = StatementOfReasons.objects.filter(
        submission_id=OuterRef("moderation_submission_id")
    ).order_by("-created_at", "-id")
    # As moderation.services.latest_decision: the last decision that settled the content.
    latest = (
        Decision.objects.filter(submission_id=OuterRef("moderation_submission_id"))
        .exclude(outcome__in=(Decision.Outcome.SEND_TO_HUMAN, Decision.Outcome.REQUEST_PROOF))
        .order_by("-id")
    )
    appeals = Appeal.objects.filter(decision_id=OuterRef("statement_decision_id"))
    return reviews.annotate(
        moderation_submission_id=Subquery(submission),
        statement_decision_id=Subquery(statements.values("decision_id")[:1]),
        statement_informed_at=Subquery(
            statements.annotate(at=Coalesce("informed_at", "created_at")).values("at")[:1]
        ),
        latest_decision_id=Subquery(latest.values("pk")[:1]),
        appeal_status=Subquery(appeals.values("status")[:1]),
        appeal_decided_at=Subquery(appeals.values("decided_at")[:1]),
    )


def appeal_window_of(review: Review, *, now: datetime) -> AppealWindow | None:
    """Where the appeal against the review's last restriction stands, from the annotations of
    `with_restrictions`; None for a review never restricted."""
    decision_id = getattr(review, "statement_decision_id", None)
    if decision_id is None:
        return None
    return AppealWindow(
        decision_id=decision_id,
        deadline=appeal_deadline(informed_at=review.statement_informed_at),  # type: ignore[attr-defined]
        in_force=review.latest_decision_id == decision_id,  # type: ignore[attr-defined]
        appeal_status=review.appeal_status or "",  # type: ignore[attr-defined]
        appeal_decided_at=review.appeal_decided_at,  # type: ignore[attr-defined]
        now=now,
    )


def _url(name: str, review: Review, *, absolute: bool) -> str:
    return (settings.SITE_URL if absolute else "") + reverse(name, args=[review.pk])


def statement_context(
    *,
    statement: StatementOfReasons,
    review: Review,
    language: str,
    now: datetime,
    absolute: bool,
) -> dict[str, Any]:
    """What `reviews/statement.html` shows: the restriction, its facts, whether automated
    means found and decided it, its ground in the author's language, and the redress.
    `absolute`: links with the site's address, for an email."""
    rule = statement_rule(statement)
    code_of_conduct = (settings.SITE_URL if absolute else "") + reverse("code-of-conduct")
    return {
        "statement": statement,
        "decision": statement.decision,
        "review": review,
        "rule_title": rule.title(language),
        "rule_explanation": rule.explanation(language),
        "rule_url": f"{code_of_conduct}#rule-{rule.code}",
        "illegal": statement.decision_ground == ILLEGAL,
        "checks": found_by_checks(statement),
        "origin": origin_label(statement),
        "window": get_appeal_window(statement, now=now),
        "appeal_url": _url("reviews:appeal", review, absolute=absolute),
        "statement_url": _url("reviews:statement", review, absolute=absolute),
        "ods_url": ODS_BODIES_URL,
    }


def decision_email_context(
    *, review: Review, decision: Decision, language: str, now: datetime
) -> dict[str, Any]:
    """What the decision email (reviews/email/decision_body.html) says: the outcome; for a
    restriction, its statement of reasons; for a request of proof, the upload link and the
    deadline."""
    context: dict[str, Any] = {
        "review": review,
        "decision": decision,
        "language": language,
        "my_reviews_url": settings.SITE_URL + reverse("reviews:mine"),
    }
    statement = (
        StatementOfReasons.objects.filter(decision=decision)
        .select_related("decision", "submission")
        .first()
    )
    if statement is not None:
        context |= statement_context(
            statement=statement, review=review, language=language, now=now, absolute=True
        )
    if decision.source == "appeal" and decision.outcome == Decision.Outcome.PUBLISH:
        # What the appeal lifted: a refusal or removal (published again), or a label.
        lifted = (
            Decision.objects.filter(submission_id=decision.submission_id, pk__lt=decision.pk)
            .exclude(outcome__in=(Decision.Outcome.SEND_TO_HUMAN, Decision.Outcome.REQUEST_PROOF))
            .order_by("-pk")
            .values_list("outcome", flat=True)
            .first()
        )
        context["lifted"] = lifted or ""
    if decision.outcome == Decision.Outcome.REQUEST_PROOF:
        context |= {
            "proof": get_latest_proof_request(kind="review", object_id=str(review.pk)),
            "proof_url": _url("reviews:proof-upload", review, absolute=True),
            "proof_max_mb": settings.PROOF_MAX_BYTES // (1024 * 1024),
            "proof_rule_title": get_rule(PROOF_RULE).title(language),
        }
    return context
