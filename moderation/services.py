"""Writes of the moderation engine: receive a submission, decide it, sweep the forgotten ones.

Submission states: pending --(pipeline)--> decided | in_review --(moderator)--> decided.
"""

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from brands.models import Brand, Place
from config.errors import ConflictError, PermissionDeniedError
from moderation import similarity
from moderation.models import Decision, Signal, Submission, TextBand
from moderation.pipeline import PIPELINE_VERSION, decide, run_checks
from moderation.registry import get_kind
from moderation.rules import RULESET_VERSION, get_rule

logger = logging.getLogger(__name__)


def submit_for_moderation(
    *,
    kind: str,
    object_id: str,
    author: User,
    brand: Brand,
    place: Place | None,
    rating: int | None,
    language: str,
    title: str,
    text: str,
    submitted_at: datetime,
    network_hash: str = "",
    device_hash: str = "",
    incentive_disclosed: bool = False,
) -> Submission:
    """Take a snapshot of content to moderate; call it in the content's own transaction.

    The submission is indexed at once (so later submissions see it) and the pipeline task is
    enqueued after commit.
    """
    get_kind(kind)  # refuse kinds nobody handles before storing anything
    signature = similarity.signature(f"{title} {text}")
    long_enough = len(similarity.words(text)) >= settings.DUPLICATE_MIN_WORDS
    submission = Submission.objects.create(
        kind=kind,
        object_id=str(object_id),
        author=author,
        brand=brand,
        place=place,
        rating=rating,
        language=language,
        title=title,
        text=text,
        submitted_at=submitted_at,
        network_hash=network_hash,
        device_hash=device_hash,
        incentive_disclosed=incentive_disclosed,
        author_joined_at=author.date_joined,
        author_email_domain=author.email_domain,
        minhash=similarity.to_bytes(signature) if long_enough else None,
        enqueued_at=timezone.now(),
    )
    if long_enough:
        TextBand.objects.bulk_create(
            TextBand(submission=submission, key=key) for key in similarity.band_keys(signature)
        )
    _enqueue_after_commit(submission.pk)
    return submission


def _enqueue_after_commit(submission_id: int) -> None:
    from moderation.tasks import moderate_submission_task

    transaction.on_commit(partial(moderate_submission_task.delay, submission_id=submission_id))


@transaction.atomic
def moderate_submission(*, submission_id: int) -> Decision | None:
    """Run the pipeline on a pending submission and apply its decision.

    Idempotent: the row is locked, and a submission that is no longer pending is left alone, so
    a redelivered task changes nothing. Returns None when there was nothing to do.
    """
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("brand")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or submission.state != Submission.State.PENDING:
        return None
    verdict = decide(run_checks(submission))
    Signal.objects.bulk_create(
        Signal(
            submission=submission,
            check_name=f.check,
            rule_code=f.rule_code,
            score=f.score,
            evidence=f.evidence,
            data=f.data,
        )
        for f in verdict.findings
    )
    in_review = verdict.outcome == Decision.Outcome.SEND_TO_HUMAN
    return _record_decision(
        submission,
        outcome=verdict.outcome,
        rule_code=verdict.rule_code,
        risk_score=verdict.risk_score,
        explanation=verdict.explanation,
        actor=None,
        to_state=Submission.State.IN_REVIEW if in_review else Submission.State.DECIDED,
        signals=[
            {"check": f.check, "rule_code": f.rule_code, "score": f.score, "evidence": f.evidence}
            for f in verdict.findings
        ],
    )


@transaction.atomic
def decide_submission(
    *, submission_id: int, moderator: User, outcome: str, rule_code: str = "", note: str = ""
) -> Decision:
    """A moderator decides a submission waiting in the queue, citing a published rule."""
    if not moderator.is_moderator:
        raise PermissionDeniedError("Only moderators decide.")
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    if submission.state != Submission.State.IN_REVIEW:
        raise ConflictError("This item was already decided.", code="already_decided")
    if submission.language not in moderator.moderation_languages:
        raise PermissionDeniedError("You do not moderate this language.", code="language")
    if outcome not in (Decision.Outcome.PUBLISH, Decision.Outcome.REJECT, Decision.Outcome.LABEL):
        raise ConflictError("Unknown outcome.", code="invalid_outcome")
    if outcome != Decision.Outcome.PUBLISH:
        get_rule(rule_code)  # only published rules may be cited
    return _record_decision(
        submission,
        outcome=outcome,
        rule_code=rule_code,
        risk_score=submission.risk_score or 0,
        explanation=[],
        actor=moderator,
        to_state=Submission.State.DECIDED,
        note=note,
        signals=[],
    )


def _record_decision(
    submission: Submission,
    *,
    outcome: str,
    rule_code: str,
    risk_score: float,
    explanation: list[str],
    actor: User | None,
    to_state: str,
    signals: list[dict[str, Any]],
    note: str = "",
) -> Decision:
    now = timezone.now()
    decision = Decision.objects.create(
        submission=submission,
        outcome=outcome,
        rule_code=rule_code,
        risk_score=risk_score,
        explanation=explanation,
        ruleset_version=RULESET_VERSION,
        pipeline_version=PIPELINE_VERSION,
        decided_by=actor,
        note=note,
        decided_at=now,
    )
    from_state = submission.state
    submission.state = to_state
    submission.risk_score = risk_score
    submission.decided_at = now if to_state == Submission.State.DECIDED else None
    submission.save(update_fields=["state", "risk_score", "decided_at"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.MODERATION_DECIDED,
        target=submission,
        from_status=from_state,
        to_status=to_state,
        rule_code=rule_code,
        details={
            "decision_id": decision.pk,
            "outcome": outcome,
            "risk_score": risk_score,
            "kind": submission.kind,
            "object_id": submission.object_id,
            "ruleset_version": RULESET_VERSION,
            "pipeline_version": PIPELINE_VERSION,
            "decided_by": "pipeline" if actor is None else "moderator",
            "signals": signals,
        },
    )
    get_kind(submission.kind).apply_decision(object_id=submission.object_id, decision=decision)
    return decision


def sweep_undecided_submissions(*, now: datetime | None = None) -> int:
    """Re-enqueue every pending submission whose task should have run by now (a lost message,
    a worker that died, a broker that was down). Returns how many were re-enqueued."""
    now = now or timezone.now()
    stale = Q(state=Submission.State.PENDING) & (
        Q(enqueued_at__lt=now - settings.MODERATION_SWEEP_AFTER) | Q(enqueued_at__isnull=True)
    )
    ids = list(
        Submission.objects.filter(stale)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
    if ids:
        Submission.objects.filter(pk__in=ids).update(enqueued_at=now, attempts=F("attempts") + 1)
        from moderation.tasks import moderate_submission_task

        for submission_id in ids:
            moderate_submission_task.delay(submission_id=submission_id)
        logger.warning("Re-enqueued %d undecided submissions", len(ids))
    return len(ids)
