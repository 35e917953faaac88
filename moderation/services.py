"""Writes of the moderation engine: receive a submission, decide it, sweep the forgotten ones.

Submission states: pending --(pipeline)--> decided | in_review --(moderator)--> decided.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from brands.models import Brand, Place
from config.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from moderation import similarity
from moderation.models import (
    RESTRICTING_OUTCOMES,
    Appeal,
    Decision,
    ProofRequest,
    Report,
    ReportingSanction,
    Signal,
    StatementOfReasons,
    Submission,
    TextBand,
    WorkItem,
)
from moderation.pipeline import PIPELINE_VERSION, assess
from moderation.registry import get_kind
from moderation.rules import RULES, RULESET_VERSION, get_rule

if TYPE_CHECKING:
    from moderation.authenticity.scoring import ModelScore

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


# Inside a caller's transaction (the worker's task), no savepoint: two round trips fewer on
# every review, and an error dooms the whole transaction, which nobody means to survive.
@transaction.atomic(savepoint=False)
def moderate_submission(*, submission_id: int) -> Decision | None:
    """Run the pipeline on a pending submission and apply its decision.

    Idempotent: the row is locked, and a submission that is no longer pending is left alone, so
    a redelivered task changes nothing. Returns None when there was nothing to do.
    """
    submission = _lock_submission(submission_id)
    if submission is None or submission.state != Submission.State.PENDING:
        return None
    verdict = assess(submission)
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
        model=verdict.model,
    )


def _lock_submission(submission_id: int) -> Submission | None:
    """The submission, locked until commit, and its brand (the checks read its domain, the
    review handler whether it has webhooks).

    Two queries in SQL rather than one built by the ORM with `select_related`: every moderated
    review starts here, and building that query cost the worker more than running both (as
    reviews.services._lock).
    """
    sql = 'SELECT * FROM "moderation_submission" WHERE "id" = %s'
    if connection.features.has_select_for_update:  # SQLite locks the whole database instead
        sql += " FOR UPDATE"
    submission = next(iter(Submission.objects.raw(sql, [submission_id])), None)
    if submission is not None:
        brands = Brand.objects.raw(
            'SELECT * FROM "brands_brand" WHERE "id" = %s', [submission.brand_id]
        )
        submission.brand = next(iter(brands))
    return submission


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
    source: str = "",
    model: "ModelScore | None" = None,
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
        source=source or ("pipeline" if actor is None else ""),
        model_score=model.score if model else None,
        model_version=model.version if model else "",
        model_explanation=model.reasons if model else [],
    )
    from_state = submission.state
    submission.state = to_state
    submission.risk_score = risk_score
    submission.decided_at = now if to_state == Submission.State.DECIDED else None
    with connection.cursor() as cursor:  # as `_lock_submission`: one fixed statement
        cursor.execute(
            'UPDATE "moderation_submission" SET "state" = %s, "risk_score" = %s, '
            '"decided_at" = %s WHERE "id" = %s',
            [
                to_state,
                risk_score,
                connection.ops.adapt_datetimefield_value(submission.decided_at),
                submission.pk,
            ],
        )
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
            **(
                {"authenticity_model": {"version": model.version, "score": model.score}}
                if model
                else {}
            ),
        },
    )
    if outcome in RESTRICTING_OUTCOMES:
        _issue_statement(decision, submission)
    if to_state == Submission.State.IN_REVIEW and from_state == Submission.State.PENDING:
        _open_work_item(
            kind=WorkItem.Kind.REVIEW,
            submission=submission,
            rule_code=rule_code,
            due_at=submission.submitted_at + decision_max_delay(submission.kind),
        )
    get_kind(submission.kind).apply_decision(object_id=submission.object_id, decision=decision)
    return decision


def decision_max_delay(kind: str) -> timedelta:
    """The delay we commit to for deciding content of this kind: the setting
    `<KIND>_DECISION_MAX_DELAY` (REPLY_DECISION_MAX_DELAY for brand replies, NF-RES-5), else
    REVIEW_DECISION_MAX_DELAY."""
    return getattr(
        settings, f"{kind.upper()}_DECISION_MAX_DELAY", settings.REVIEW_DECISION_MAX_DELAY
    )


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


# STATEMENTS OF REASONS (DSA art. 17)
# ------------------------------------------------------------------------------

# Every restriction applies to the whole platform, hence to every country of the EEA.
EEA_COUNTRIES = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)
_VISIBILITY = {
    # A refusal before publication disables the content; a removal after it removes it.
    Decision.Outcome.REJECT: "DECISION_VISIBILITY_CONTENT_DISABLED",
    Decision.Outcome.REMOVE: "DECISION_VISIBILITY_CONTENT_REMOVED",
    Decision.Outcome.LABEL: "DECISION_VISIBILITY_CONTENT_LABELLED",
}
_SOURCE_TYPES: dict[str, str] = {
    Report.Source.ILLEGAL_CONTENT: "SOURCE_ARTICLE_16",
    Report.Source.CODE_OF_CONDUCT: "SOURCE_TYPE_OTHER_NOTIFICATION",
    Report.Source.BRAND_FLAG: "SOURCE_TYPE_OTHER_NOTIFICATION",
}


def _issue_statement(decision: Decision, submission: Submission) -> StatementOfReasons:
    """Write the statement of reasons of a restricting decision, in the Transparency
    Database's terms. The facts name the rule and the checks, never the content or a person
    (DSA art. 24(5)); the author's rendering adds the rule's explanation and redress."""
    from django.urls import reverse

    rule = get_rule(decision.rule_code)
    report = submission.reports.filter(status=Report.Status.OPEN).order_by("id").first()
    # A restriction decided on a reporter's appeal follows their (dismissed) report.
    appeal = (
        submission.appeals.filter(status=Appeal.Status.OPEN, report__isnull=False)
        .select_related("report")
        .first()
        if report is None and decision.source == "appeal"
        else None
    )
    if appeal is not None:
        report = appeal.report
    if report is not None:
        source_type = (
            "SOURCE_TRUSTED_FLAGGER" if report.trusted_flagger else _SOURCE_TYPES[report.source]
        )
    else:
        source_type = "SOURCE_VOLUNTARY"
    # Detected automatically: the pipeline's checks raised it (whoever decided in the end).
    checks = sorted(
        set(
            submission.signals.filter(rule_code=decision.rule_code).values_list(
                "check_name", flat=True
            )
        )
    )
    automated_detection = decision.is_automated or (report is None and bool(checks))
    how = {
        True: "by the automated checks",
        False: "by a moderator",
    }[decision.is_automated]
    with translation.override("en"):  # the Transparency Database's record is in English
        facts = (
            f"The {submission.kind} was {decision.get_outcome_display()} {how} under rule "
            f"'{rule.code}' ({rule.title_en}) of the code of conduct, version "
            f"{decision.ruleset_version}."
        )
        if checks:
            facts += f" Automated checks that found it: {', '.join(checks)}."
        if report is not None:
            facts += f" The decision followed a {report.get_source_display()}"
            facts += " and an appeal against its dismissal." if appeal is not None else "."
    now = decision.decided_at
    statement = StatementOfReasons.objects.create(
        decision=decision,
        submission=submission,
        puid=f"voix-decision-{decision.pk}",
        decision_visibility=_VISIBILITY[Decision.Outcome(decision.outcome)],
        territorial_scope=EEA_COUNTRIES,
        decision_facts=facts,
        source_type=source_type,
        automated_detection=automated_detection,
        automated_decision=(
            "AUTOMATED_DECISION_FULLY"
            if decision.is_automated
            else "AUTOMATED_DECISION_NOT_AUTOMATED"
        ),
        decision_ground=str(rule.dsa_ground),
        decision_ground_reference_url=(
            f"{settings.SITE_URL}{reverse('code-of-conduct')}#rule-{rule.code}"
        ),
        legal_ground=(
            rule.legal_ground or rule.title_en
            if rule.dsa_ground == "DECISION_GROUND_ILLEGAL_CONTENT"
            else ""
        ),
        ground=f"Code of conduct {decision.ruleset_version}, rule {rule.code}: {rule.title_en}",
        ground_explanation=rule.explanation_en,
        category=rule.dsa_category,
        category_specification=list(rule.dsa_keywords),
        content_type=["CONTENT_TYPE_TEXT"],
        content_language=submission.language[:2].upper(),
        content_date=timezone.localdate(submission.submitted_at),
        application_date=timezone.localdate(now),
        created_at=now,
        # The statement is in the author's account from now on; the email follows at once.
        informed_at=now,
    )
    record_event(
        actor=decision.decided_by,
        action=AuditEvent.Action.STATEMENT_ISSUED,
        target=statement,
        rule_code=rule.code,
        details={
            "decision_id": decision.pk,
            "submission_id": submission.pk,
            "puid": statement.puid,
        },
    )
    return statement


# THE QUEUE: work items, claims, decisions
# ------------------------------------------------------------------------------


def _open_work_item(
    *,
    kind: str,
    submission: Submission,
    due_at: datetime,
    rule_code: str = "",
    report: Report | None = None,
    appeal: Appeal | None = None,
    proof: ProofRequest | None = None,
    priority: int = 1,
    excluded_moderator: User | None = None,
) -> WorkItem:
    item = WorkItem.objects.create(
        kind=kind,
        submission=submission,
        report=report,
        appeal=appeal,
        proof=proof,
        brand_id=submission.brand_id,
        language=submission.language,
        rule_code=rule_code,
        priority=priority,
        due_at=due_at,
        created_at=timezone.now(),
        excluded_moderator=excluded_moderator,
    )
    record_event(
        actor=None,
        action=AuditEvent.Action.WORK_ITEM_OPENED,
        target=item,
        to_status=WorkItem.State.OPEN,
        rule_code=rule_code,
        details={"kind": kind, "submission_id": submission.pk, "due_at": due_at.isoformat()},
    )
    return item


def ensure_can_moderate(*, moderator: User, item: WorkItem) -> None:
    """The item is one this moderator may see and decide: a language they master (NF-MOD-4),
    a brand they are not tied to, not a decision of theirs under appeal (DSA-20)."""
    from brands.selectors import is_brand_member

    if not moderator.is_moderator:
        raise PermissionDeniedError(_("Only moderators work the queue."))
    if item.language not in moderator.moderation_languages:
        raise PermissionDeniedError(_("You do not moderate this language."), code="language")
    if is_brand_member(user_id=moderator.pk, brand_id=item.brand_id):
        raise PermissionDeniedError(
            _("You are a member of this brand: another moderator will decide."),
            code="conflict_of_interest",
        )
    if item.excluded_moderator_id == moderator.pk:
        raise PermissionDeniedError(
            _("You took the decision under appeal: another moderator will decide."),
            code="own_decision",
        )


def _lock_item(item_id: int) -> WorkItem:
    item = (
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("submission")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFoundError(_("This work item does not exist."))
    return item


def _held_by_other(item: WorkItem, moderator: User, now: datetime) -> bool:
    return (
        item.claimed_by_id is not None
        and item.claimed_by_id != moderator.pk
        and item.claim_expires_at is not None
        and item.claim_expires_at > now
    )


def _take_claim(item: WorkItem, moderator: User, now: datetime) -> None:
    item.claimed_by = moderator
    item.claim_expires_at = now + settings.MODERATION_CLAIM_LEASE
    item.save(update_fields=["claimed_by", "claim_expires_at"])
    record_event(
        actor=moderator,
        action=AuditEvent.Action.WORK_ITEM_CLAIMED,
        target=item,
        details={"until": item.claim_expires_at.isoformat()},
    )


@transaction.atomic
def claim_work_item(*, item_id: int, moderator: User) -> WorkItem:
    """Take a lease on an item. Renewing one's own claim extends it."""
    item = _lock_item(item_id)
    ensure_can_moderate(moderator=moderator, item=item)
    if item.state != WorkItem.State.OPEN:
        raise ConflictError(_("This item was already decided."), code="already_decided")
    now = timezone.now()
    if _held_by_other(item, moderator, now):
        raise ConflictError(_("Another moderator is working on this item."), code="claimed")
    _take_claim(item, moderator, now)
    return item


@transaction.atomic
def claim_next_work_item(*, moderator: User, **filters: Any) -> WorkItem | None:
    """Claim the first item of this moderator's queue (see selectors.list_queue). Items
    another moderator is claiming at this instant are skipped, not waited for."""
    from moderation.selectors import list_queue

    if not moderator.is_moderator:
        raise PermissionDeniedError(_("Only moderators work the queue."))
    now = timezone.now()
    candidates = list_queue(moderator=moderator, now=now, **filters).exclude(claimed_by=moderator)
    item = (
        WorkItem.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(pk__in=candidates.values("pk")[:20])
        .order_by("priority", "due_at", "id")
        .first()
    )
    if item is None:
        return None
    _take_claim(item, moderator, now)
    return item


@transaction.atomic
def release_work_item(*, item_id: int, moderator: User) -> WorkItem:
    item = _lock_item(item_id)
    if item.claimed_by_id != moderator.pk or item.state != WorkItem.State.OPEN:
        raise ConflictError(_("You do not hold this item."), code="not_claimed")
    item.claimed_by = None
    item.claim_expires_at = None
    item.save(update_fields=["claimed_by", "claim_expires_at"])
    record_event(actor=moderator, action=AuditEvent.Action.WORK_ITEM_RELEASED, target=item)
    return item


class Action:
    """What a moderator may do with a work item; which ones apply depends on its kind."""

    PUBLISH = "publish"
    REJECT = "reject"
    LABEL = "label"
    REQUEST_PROOF = "request_proof"
    REMOVE = "remove"
    DISMISS = "dismiss"
    UPHOLD = "uphold"
    REVERSE = "reverse"
    ACCEPT_PROOF = "accept_proof"
    REFUSE_PROOF = "refuse_proof"


ACTIONS_BY_KIND: dict[str, tuple[str, ...]] = {
    WorkItem.Kind.REVIEW: (Action.PUBLISH, Action.REJECT, Action.LABEL, Action.REQUEST_PROOF),
    WorkItem.Kind.REPORT: (Action.DISMISS, Action.REMOVE, Action.LABEL, Action.REQUEST_PROOF),
    WorkItem.Kind.FLAG: (Action.DISMISS, Action.REMOVE, Action.LABEL, Action.REQUEST_PROOF),
    WorkItem.Kind.APPEAL: (Action.UPHOLD, Action.REVERSE),
    WorkItem.Kind.PROOF: (Action.ACCEPT_PROOF, Action.REFUSE_PROOF),
}
# Actions that restrict the content, and must cite a rule of the code of conduct.
_RULE_REQUIRED = {Action.REJECT, Action.LABEL, Action.REMOVE, Action.REFUSE_PROOF}


@transaction.atomic
def decide_work_item(
    *,
    item_id: int,
    moderator: User,
    action: str,
    rule_code: str = "",
    note: str = "",
    reasons: str = "",
    manifestly_unfounded: bool = False,
) -> WorkItem:
    """Decide an item, citing a published rule when the content is restricted.

    The item's row is locked, so of two moderators deciding one item at the same instant the
    second waits, then finds it done (409). A free item is claimed on the way; one held by
    another moderator's live claim is refused. `reasons` is the reasoned answer an appellant
    receives (DSA-19); `note` stays internal.
    """
    item = _lock_item(item_id)
    ensure_can_moderate(moderator=moderator, item=item)
    if item.state != WorkItem.State.OPEN:
        raise ConflictError(_("This item was already decided."), code="already_decided")
    now = timezone.now()
    if _held_by_other(item, moderator, now):
        raise ConflictError(_("Another moderator is working on this item."), code="claimed")
    if action not in ACTIONS_BY_KIND[item.kind]:
        raise ApplicationError(_("This action does not apply to this item."), code="invalid_action")
    # A restriction must cite a rule; any rule given, cited or not, must be a published one.
    if rule_code or action in _RULE_REQUIRED or (action == Action.REVERSE and item.report_id):
        rule_code = rule_code or _default_rule(item, action)
        rule = RULES.get(rule_code)
        if rule is None or not rule.applies_to(item.submission.kind):
            raise ApplicationError(
                _("Cite a rule of the published code of conduct."), code="invalid_rule"
            )
    if item.kind == WorkItem.Kind.APPEAL and not reasons.strip():
        raise ApplicationError(
            _("Explain the decision to the person who appealed."), code="reasons_required"
        )
    submission = Submission.objects.select_for_update().get(pk=item.submission_id)
    _apply_action(
        item,
        submission,
        moderator=moderator,
        action=action,
        rule_code=rule_code,
        note=note,
        reasons=reasons.strip(),
        manifestly_unfounded=manifestly_unfounded,
    )
    _close_item(item, moderator=moderator, outcome=action, rule_code=rule_code)
    return item


def _default_rule(item: WorkItem, action: str) -> str:
    if action == Action.REFUSE_PROOF:
        return "no_consumer_experience"
    if item.report_id:
        return Report.objects.values_list("rule_code", flat=True).get(pk=item.report_id or 0)
    return ""


def _close_item(
    item: WorkItem, *, moderator: User | None, outcome: str, rule_code: str = ""
) -> None:
    item.state = WorkItem.State.DONE
    item.closed_at = timezone.now()
    item.closed_by = moderator
    item.outcome = outcome
    item.claimed_by = None
    item.claim_expires_at = None
    item.save(
        update_fields=[
            "state",
            "closed_at",
            "closed_by",
            "outcome",
            "claimed_by",
            "claim_expires_at",
        ]
    )
    record_event(
        actor=moderator,
        action=AuditEvent.Action.WORK_ITEM_CLOSED,
        target=item,
        from_status=WorkItem.State.OPEN,
        to_status=WorkItem.State.DONE,
        rule_code=rule_code,
        details={"kind": item.kind, "outcome": outcome, "submission_id": item.submission_id},
    )


def _apply_action(
    item: WorkItem,
    submission: Submission,
    *,
    moderator: User,
    action: str,
    rule_code: str,
    note: str,
    reasons: str,
    manifestly_unfounded: bool,
) -> None:
    kind = item.kind
    if kind == WorkItem.Kind.REVIEW:
        if submission.state != Submission.State.IN_REVIEW:
            raise ConflictError(_("This item was already decided."), code="already_decided")
        if action == Action.REQUEST_PROOF:
            _request_proof(submission, moderator=moderator, note=note, source="")
            return
        outcome = {
            Action.PUBLISH: Decision.Outcome.PUBLISH,
            Action.REJECT: Decision.Outcome.REJECT,
            Action.LABEL: Decision.Outcome.LABEL,
        }[action]
        _moderator_decision(submission, moderator, outcome, rule_code, note, source="")
    elif kind in (WorkItem.Kind.REPORT, WorkItem.Kind.FLAG):
        report = Report.objects.select_for_update().get(pk=item.report_id or 0)
        if report.status != Report.Status.OPEN:
            return  # already settled with another report on the same content
        if action == Action.DISMISS:
            _settle_report(report, moderator, upheld=False, unfounded=manifestly_unfounded)
        elif action == Action.REQUEST_PROOF:
            # The report stays open: the proof (or its absence) settles it.
            _request_proof(submission, moderator=moderator, note=note, source=report.source)
        else:
            _ensure_visible(submission)
            outcome = Decision.Outcome.REMOVE if action == Action.REMOVE else Decision.Outcome.LABEL
            _moderator_decision(
                submission, moderator, outcome, rule_code, note, source=report.source
            )
            _settle_open_reports(submission, moderator, upheld=True, deciding=item)
    elif kind == WorkItem.Kind.APPEAL:
        _decide_appeal(item, submission, moderator, action, rule_code, note, reasons)
    elif kind == WorkItem.Kind.PROOF:
        _decide_proof(item, submission, moderator, action, rule_code, note)


def _moderator_decision(
    submission: Submission,
    moderator: User | None,
    outcome: str,
    rule_code: str,
    note: str,
    *,
    source: str,
) -> Decision:
    return _record_decision(
        submission,
        outcome=outcome,
        rule_code=""
        if outcome in (Decision.Outcome.PUBLISH, Decision.Outcome.VERIFY)
        else rule_code,
        risk_score=submission.risk_score or 0,
        explanation=[],
        actor=moderator,
        to_state=Submission.State.DECIDED,
        note=note,
        signals=[],
        source=source,
    )


def latest_decision(submission: Submission) -> Decision | None:
    return submission.decisions.exclude(
        outcome__in=(Decision.Outcome.SEND_TO_HUMAN, Decision.Outcome.REQUEST_PROOF)
    ).last()


def is_visible(submission: Submission) -> bool:
    """Whether the content is public as far as moderation goes (its owner may still have
    withdrawn it)."""
    decision = latest_decision(submission)
    return (
        submission.state == Submission.State.DECIDED
        and decision is not None
        and (decision.outcome not in (Decision.Outcome.REJECT, Decision.Outcome.REMOVE))
    )


def _ensure_visible(submission: Submission) -> None:
    if not is_visible(submission):
        raise ConflictError(_("This content is no longer published."), code="not_published")


def _settle_open_reports(
    submission: Submission,
    moderator: User | None,
    *,
    upheld: bool,
    deciding: WorkItem | None = None,
) -> None:
    """Settle the content's open reports and close their items as "settled"; the item being
    decided (`deciding`) is closed by its own decision, once."""
    for report in submission.reports.select_for_update().filter(status=Report.Status.OPEN):
        _settle_report(report, moderator, upheld=upheld, unfounded=False)
        others = WorkItem.objects.filter(report=report, state=WorkItem.State.OPEN)
        if deciding is not None:
            others = others.exclude(pk=deciding.pk)
        for other in others:
            _close_item(other, moderator=moderator, outcome="settled")


def _settle_report(
    report: Report, moderator: User | None, *, upheld: bool, unfounded: bool
) -> None:
    """Record a report's outcome and tell the reporter, with the way to contest (DSA-7)."""
    from moderation.tasks import notify_report_outcome_task

    report.status = Report.Status.UPHELD if upheld else Report.Status.DISMISSED
    report.decided_at = timezone.now()
    report.decided_by = moderator
    report.manifestly_unfounded = unfounded and not upheld
    report.save(update_fields=["status", "decided_at", "decided_by", "manifestly_unfounded"])
    record_event(
        actor=moderator,
        action=AuditEvent.Action.REPORT_DECIDED,
        target=report,
        from_status=Report.Status.OPEN,
        to_status=report.status,
        rule_code=report.rule_code,
        details={
            "submission_id": report.submission_id,
            "source": report.source,
            "manifestly_unfounded": report.manifestly_unfounded,
        },
    )
    transaction.on_commit(partial(notify_report_outcome_task.delay, report_id=report.pk))
    if report.manifestly_unfounded and report.reporter is not None:
        _check_reporting_misuse(report.reporter, now=report.decided_at)


# REPORTS AND FLAGS (DSA art. 16, FR-5)
# ------------------------------------------------------------------------------


def reporting_suspended_until(*, user: User, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    return (
        ReportingSanction.objects.filter(
            user=user, kind=ReportingSanction.Kind.SUSPENSION, ends_at__gt=now
        )
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )


@transaction.atomic
def file_report(
    *,
    kind: str,
    object_id: str,
    source: str,
    reporter: User | None,
    explanation: str,
    rule_code: str = "",
    flag_reason: str = "",
    location_url: str = "",
    notifier_name: str = "",
    notifier_email: str = "",
    good_faith_confirmed: bool = False,
    language: str = "",
) -> Report:
    """File a report on published content: a notice of illegal content by anyone (DSA art.
    16), a report under the code of conduct by an account, or a brand's reasoned flag (FR-5,
    free). Acknowledged by email (DSA-6); queued for a moderator."""
    from brands.selectors import is_brand_member
    from moderation.tasks import acknowledge_report_task

    explanation = explanation.strip()
    submission = (
        Submission.objects.select_for_update().filter(kind=kind, object_id=str(object_id)).first()
    )
    if submission is None or not is_visible(submission):
        raise NotFoundError(_("This content is not published."))
    if source not in Report.Source.values:
        raise ApplicationError(_("Unknown kind of report."), code="invalid_source")
    now = timezone.now()
    if reporter is not None:
        until = reporting_suspended_until(user=reporter, now=now)
        if until is not None:
            raise PermissionDeniedError(
                _("Your reports are suspended until %(date)s for misuse of reporting.")
                % {"date": date_format(until, "DATE_FORMAT")},
                code="reporting_suspended",
            )
        if reporter.pk == submission.author_id:
            raise ApplicationError(_("You cannot report your own content."), code="own_content")
        if submission.reports.filter(reporter=reporter, status=Report.Status.OPEN).exists():
            raise ConflictError(_("You already reported this content."), code="already_reported")
    if source == Report.Source.ILLEGAL_CONTENT:
        if reporter is not None:
            notifier_name = notifier_name or reporter.pseudonym
            notifier_email = reporter.email
        missing = [
            field
            for field, value in (
                ("explanation", explanation),
                ("location_url", location_url),
                ("notifier_name", notifier_name.strip()),
                ("notifier_email", notifier_email.strip()),
            )
            if not value
        ]
        if missing or not good_faith_confirmed:
            raise ApplicationError(
                _(
                    "A notice of illegal content needs an explanation, the exact location, your "
                    "name and email, and your statement of good faith."
                ),
                code="notice_incomplete",
            )
        rule_code = rule_code or "illegal_content"
    elif source == Report.Source.CODE_OF_CONDUCT:
        if reporter is None:
            raise PermissionDeniedError(
                _("Log in to report a breach of the code of conduct."), code="login_required"
            )
        notifier_name = notifier_email = ""
    else:  # a brand flag
        if reporter is None or not is_brand_member(
            user_id=reporter.pk, brand_id=submission.brand_id
        ):
            raise PermissionDeniedError(
                _("Only members of the brand can flag its reviews."), code="not_brand_member"
            )
        if flag_reason not in Report.FlagReason.values or len(explanation) < 10:
            raise ApplicationError(
                _("A flag needs a reason from the list and an explanation."),
                code="flag_reason_required",
            )
        rule_code = rule_code or "no_consumer_experience"
        notifier_name = notifier_email = ""
    rule = RULES.get(rule_code)
    if rule is None or not rule.applies_to(kind):
        raise ApplicationError(_("Choose a rule of the code of conduct."), code="invalid_rule")
    trusted = reporter is not None and reporter.is_trusted_flagger
    report = Report.objects.create(
        submission=submission,
        source=source,
        reporter=reporter,
        trusted_flagger=trusted,
        rule_code=rule_code,
        flag_reason=flag_reason if source == Report.Source.BRAND_FLAG else "",
        explanation=explanation,
        location_url=location_url,
        notifier_name=notifier_name.strip(),
        notifier_email=notifier_email.strip(),
        good_faith_confirmed=good_faith_confirmed,
        language=language[:8],
        created_at=now,
    )
    record_event(
        actor=reporter,
        action=AuditEvent.Action.REPORT_FILED,
        target=report,
        to_status=Report.Status.OPEN,
        rule_code=rule_code,
        details={
            "submission_id": submission.pk,
            "kind": kind,
            "object_id": submission.object_id,
            "source": source,
            "trusted_flagger": trusted,
        },
    )
    delay = (
        settings.TRUSTED_FLAGGER_DECISION_MAX_DELAY
        if trusted
        else settings.REPORT_DECISION_MAX_DELAY
    )
    _open_work_item(
        kind=WorkItem.Kind.FLAG if source == Report.Source.BRAND_FLAG else WorkItem.Kind.REPORT,
        submission=submission,
        report=report,
        rule_code=rule_code,
        priority=0 if trusted else 1,
        due_at=now + delay,
    )
    if report.contact_email:
        transaction.on_commit(partial(acknowledge_report_task.delay, report_id=report.pk))
    return report


def _check_reporting_misuse(user: User, *, now: datetime) -> None:
    """DSA art. 23(2)-(3): warn an account that files manifestly unfounded reports, then
    suspend its reporting if it goes on. The four factors are recorded with each measure."""
    from moderation.tasks import notify_reporting_sanction_task

    since = now - settings.REPORTING_ABUSE_WINDOW
    reports = Report.objects.filter(reporter=user, created_at__gte=since)
    total = reports.count()
    unfounded = reports.filter(manifestly_unfounded=True).count()
    sanctions = ReportingSanction.objects.filter(user=user, created_at__gte=since)
    warned = sanctions.filter(kind=ReportingSanction.Kind.WARNING).exists()
    if not warned and unfounded >= settings.REPORTING_WARNING_AFTER:
        kind, ends_at = ReportingSanction.Kind.WARNING, None
    elif (
        warned
        and unfounded >= settings.REPORTING_SUSPENSION_AFTER
        and reporting_suspended_until(user=user, now=now) is None
        and not sanctions.filter(kind=ReportingSanction.Kind.SUSPENSION).exists()
    ):
        kind, ends_at = ReportingSanction.Kind.SUSPENSION, now + settings.REPORTING_SUSPENSION
    else:
        return
    sanction = ReportingSanction.objects.create(
        user=user,
        kind=kind,
        created_at=now,
        ends_at=ends_at,
        unfounded_count=unfounded,
        total_count=total,
        gravity=(
            f"{unfounded} of {total} reports in {settings.REPORTING_ABUSE_WINDOW.days} days "
            "found manifestly unfounded by moderators"
        ),
        intent="repeated after a warning" if warned else "first finding of repeated misuse",
    )
    record_event(
        actor=None,
        action=AuditEvent.Action.REPORTING_SANCTIONED,
        target=sanction,
        to_status=kind,
        details={"user_id": user.pk, "unfounded": unfounded, "total": total},
    )
    transaction.on_commit(partial(notify_reporting_sanction_task.delay, sanction_id=sanction.pk))


# APPEALS (DSA art. 20)
# ------------------------------------------------------------------------------


# An appeal's explanation: room enough for facts, bounded like a review's text.
APPEAL_EXPLANATION_MAX_LENGTH = 5000


def appeal_deadline(*, informed_at: datetime) -> datetime:
    return informed_at + settings.APPEAL_WINDOW


REPORT_APPEAL_SALT = "voix.report-appeal"


def report_appeal_token(report: Report) -> str:
    """The signed link by which a notifier without an account contests the dismissal of their
    notice (DSA art. 20(1)); it expires with the six months to contest."""
    return signing.dumps({"report": report.pk}, salt=REPORT_APPEAL_SALT)


def get_report_by_appeal_token(token: str) -> Report:
    """The notice without an account a contest link names; NotFoundError for a link altered,
    expired, or naming a report filed from an account (its reporter uses the form in their
    account)."""
    try:
        payload = signing.loads(token, salt=REPORT_APPEAL_SALT, max_age=settings.APPEAL_WINDOW)
        report_id = int(payload["report"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFoundError(
            _("This link to contest a decision is invalid or has expired."), code="invalid_link"
        ) from None
    report = (
        Report.objects.select_related("submission__brand", "decided_by")
        .filter(pk=report_id, reporter__isnull=True)
        .exclude(notifier_email="")
        .first()
    )
    if report is None:
        raise NotFoundError(
            _("This link to contest a decision is invalid or has expired."), code="invalid_link"
        )
    return report


def _clean_appeal_explanation(explanation: str) -> str:
    explanation = explanation.strip()
    if not explanation:
        raise ApplicationError(
            _("Explain why you contest the decision."), code="explanation_required"
        )
    if len(explanation) > APPEAL_EXPLANATION_MAX_LENGTH:
        raise ApplicationError(
            _("The explanation is too long (%(max)d characters at most).")
            % {"max": APPEAL_EXPLANATION_MAX_LENGTH},
            field="explanation",
        )
    return explanation


def _ensure_dismissed(report: Report) -> datetime:
    """When the reporter was told of the dismissal their appeal contests."""
    if report.status != Report.Status.DISMISSED or report.decided_at is None:
        raise ApplicationError(_("Only a dismissed report can be contested."), code="not_dismissed")
    return report.decided_at


@transaction.atomic
def file_appeal(
    *,
    appellant: User,
    explanation: str,
    decision_id: int | None = None,
    report_id: int | None = None,
) -> Appeal:
    """Contest a restricting decision (its content's author) or the dismissal of one's report
    (the reporter), within six months of being told (DSA-17). Free, and decided by a moderator
    who did not take the first decision (DSA-20)."""
    explanation = _clean_appeal_explanation(explanation)
    if (decision_id is None) == (report_id is None):
        raise ApplicationError(_("Contest one decision or one report."), code="invalid_appeal")
    if decision_id is not None:
        decision = Decision.objects.select_related("submission").filter(pk=decision_id).first()
        if decision is None or decision.submission.author_id != appellant.pk:
            raise NotFoundError(_("This decision does not exist."))
        statement = StatementOfReasons.objects.filter(decision=decision).first()
        if statement is None:
            raise ApplicationError(
                _("Only a restriction can be contested."), code="not_restricting"
            )
        if latest_decision(decision.submission) != decision:
            raise ConflictError(_("This decision was already replaced."), code="superseded")
        return _file_appeal(
            explanation=explanation,
            informed_at=statement.informed_at or statement.created_at,
            decision=decision,
            appellant=appellant,
        )
    report = (
        Report.objects.select_related("submission", "decided_by").filter(pk=report_id or 0).first()
    )
    if report is None or report.reporter_id != appellant.pk:
        raise NotFoundError(_("This report does not exist."))
    return _file_appeal(
        explanation=explanation,
        informed_at=_ensure_dismissed(report),
        report=report,
        appellant=appellant,
    )


@transaction.atomic
def file_notice_appeal(*, token: str, explanation: str) -> Appeal:
    """A notifier without an account contests the dismissal of their notice of illegal content
    through the signed link of the outcome email (DSA art. 20(1)): the same checks as
    file_appeal, with their notice's name and address as the appellant's."""
    report = get_report_by_appeal_token(token)
    explanation = _clean_appeal_explanation(explanation)
    return _file_appeal(
        explanation=explanation,
        informed_at=_ensure_dismissed(report),
        report=report,
        appellant_name=report.notifier_name,
        appellant_email=report.notifier_email,
    )


def _file_appeal(
    *,
    explanation: str,
    informed_at: datetime,
    decision: Decision | None = None,
    report: Report | None = None,
    appellant: User | None = None,
    appellant_name: str = "",
    appellant_email: str = "",
) -> Appeal:
    """Within six months of being told, one appeal per decision or report: stored, audited and
    queued for a moderator other than the first decider."""
    now = timezone.now()
    if now > appeal_deadline(informed_at=informed_at):
        raise ApplicationError(
            _("The six months to contest this decision are over."), code="appeal_window_closed"
        )
    if decision is not None:
        submission, first_decided_by, rule_code = (
            decision.submission,
            decision.decided_by,
            decision.rule_code,
        )
    else:
        assert report is not None
        submission, first_decided_by, rule_code = (
            report.submission,
            report.decided_by,
            report.rule_code,
        )
    # Two filings of one appeal at the same instant: the second waits here, then finds the
    # first (409) instead of hitting the one-appeal constraint.
    list(Submission.objects.select_for_update().filter(pk=submission.pk).values_list("pk"))
    if Appeal.objects.filter(Q(decision=decision) if decision else Q(report=report)).exists():
        raise ConflictError(_("You already contested this decision."), code="already_appealed")
    appeal = Appeal.objects.create(
        submission=submission,
        appellant=appellant,
        appellant_name=appellant_name,
        appellant_email=appellant_email,
        decision=decision,
        report=report,
        first_decided_by=first_decided_by,
        explanation=explanation,
        created_at=now,
    )
    record_event(
        actor=appellant,
        action=AuditEvent.Action.APPEAL_FILED,
        target=appeal,
        to_status=Appeal.Status.OPEN,
        details={
            "submission_id": submission.pk,
            "decision_id": decision.pk if decision else None,
            "report_id": report.pk if report else None,
            "by": "author" if decision is not None else "reporter",
        },
    )
    _open_work_item(
        kind=WorkItem.Kind.APPEAL,
        submission=submission,
        appeal=appeal,
        rule_code=rule_code,
        due_at=now + settings.APPEAL_DECISION_MAX_DELAY,
        excluded_moderator=first_decided_by,
    )
    return appeal


def _decide_appeal(
    item: WorkItem,
    submission: Submission,
    moderator: User,
    action: str,
    rule_code: str,
    note: str,
    reasons: str,
) -> None:
    from moderation.tasks import notify_appeal_outcome_task

    appeal = Appeal.objects.select_for_update().get(pk=item.appeal_id or 0)
    if appeal.first_decided_by_id == moderator.pk:  # defence in depth: see ensure_can_moderate
        raise PermissionDeniedError(_("You took the decision under appeal."), code="own_decision")
    reversed_ = action == Action.REVERSE
    if reversed_ and appeal.decision_id is not None:
        if latest_decision(submission) != appeal.decision:
            raise ConflictError(_("This decision was already replaced."), code="superseded")
        # The restriction is lifted: the content is published again, without a label.
        _moderator_decision(
            submission, moderator, Decision.Outcome.PUBLISH, "", note, source="appeal"
        )
        _settle_open_reports(submission, moderator, upheld=False)
        # Those whose reports led to the restriction learn that it was lifted.
        for report in submission.reports.filter(status=Report.Status.UPHELD):
            transaction.on_commit(
                partial(notify_appeal_outcome_task.delay, appeal_id=appeal.pk, report_id=report.pk)
            )
    elif reversed_:
        _ensure_visible(submission)
        _moderator_decision(
            submission, moderator, Decision.Outcome.REMOVE, rule_code, note, source="appeal"
        )
        _settle_open_reports(submission, moderator, upheld=True)
    appeal.status = Appeal.Status.REVERSED if reversed_ else Appeal.Status.UPHELD
    appeal.decided_at = timezone.now()
    appeal.decided_by = moderator
    appeal.reasons = reasons
    appeal.save(update_fields=["status", "decided_at", "decided_by", "reasons"])
    record_event(
        actor=moderator,
        action=AuditEvent.Action.APPEAL_DECIDED,
        target=appeal,
        from_status=Appeal.Status.OPEN,
        to_status=appeal.status,
        rule_code=rule_code,
        details={"submission_id": submission.pk, "by": "moderator"},
    )
    transaction.on_commit(partial(notify_appeal_outcome_task.delay, appeal_id=appeal.pk))


# PROOF OF EXPERIENCE (NF-COL-5, FR-17)
# ------------------------------------------------------------------------------


def _request_proof(
    submission: Submission, *, moderator: User, note: str, source: str
) -> ProofRequest:
    if submission.proofs.filter(
        status__in=(ProofRequest.Status.REQUESTED, ProofRequest.Status.SUBMITTED)
    ).exists():
        raise ConflictError(_("A proof was already requested."), code="proof_pending")
    now = timezone.now()
    proof = ProofRequest.objects.create(
        submission=submission,
        requested_by=moderator,
        requested_at=now,
        deadline=now + settings.PROOF_UPLOAD_DEADLINE,
    )
    decision = Decision.objects.create(
        submission=submission,
        outcome=Decision.Outcome.REQUEST_PROOF,
        risk_score=submission.risk_score or 0,
        ruleset_version=RULESET_VERSION,
        pipeline_version=PIPELINE_VERSION,
        decided_by=moderator,
        note=note,
        decided_at=now,
        source=source,
    )
    record_event(
        actor=moderator,
        action=AuditEvent.Action.PROOF_REQUESTED,
        target=proof,
        to_status=ProofRequest.Status.REQUESTED,
        details={
            "submission_id": submission.pk,
            "decision_id": decision.pk,
            "deadline": proof.deadline.isoformat(),
        },
    )
    get_kind(submission.kind).apply_decision(object_id=submission.object_id, decision=decision)
    return proof


@transaction.atomic
def upload_proof(
    *, kind: str, object_id: str, author: User, document: UploadedFile
) -> ProofRequest:
    """The author sends the requested document: a PDF or an image, size-limited, checked by
    its content (not its name), stored privately; a moderator examines it."""
    submission = Submission.objects.filter(kind=kind, object_id=str(object_id)).first()
    if submission is None or submission.author_id != author.pk:
        raise NotFoundError(_("This content does not exist."))
    proof = (
        submission.proofs.select_for_update().filter(status=ProofRequest.Status.REQUESTED).first()
    )
    if proof is None:
        raise ConflictError(_("No proof is requested for this content."), code="no_proof_requested")
    now = timezone.now()
    if now > proof.deadline:
        raise ApplicationError(
            _("The deadline to send a proof is over."), code="proof_deadline_passed"
        )
    content_type = sniff_document_type(document)
    if document.size is None or document.size > settings.PROOF_MAX_BYTES:
        raise ApplicationError(
            _("The document is too large (%(max)s MB at most).")
            % {"max": settings.PROOF_MAX_BYTES // (1024 * 1024)},
            code="proof_too_large",
        )
    if content_type not in settings.PROOF_CONTENT_TYPES:
        raise ApplicationError(_("Send a PDF, JPEG or PNG document."), code="proof_invalid_type")
    proof.document.save(f"{proof.pk}{_EXTENSIONS[content_type]}", document, save=False)
    proof.content_type = content_type
    proof.size = document.size
    proof.uploaded_at = now
    proof.status = ProofRequest.Status.SUBMITTED
    proof.save(update_fields=["document", "content_type", "size", "uploaded_at", "status"])
    record_event(
        actor=author,
        action=AuditEvent.Action.PROOF_UPLOADED,
        target=proof,
        from_status=ProofRequest.Status.REQUESTED,
        to_status=ProofRequest.Status.SUBMITTED,
        details={"submission_id": submission.pk, "content_type": content_type, "size": proof.size},
    )
    _open_work_item(
        kind=WorkItem.Kind.PROOF,
        submission=submission,
        proof=proof,
        due_at=now + settings.PROOF_DECISION_MAX_DELAY,
    )
    return proof


_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_document_type(document: UploadedFile) -> str:
    """The type a document's first bytes announce; the declared type and name are not trusted."""
    document.seek(0)
    head = document.read(8)
    document.seek(0)
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), "")


def _decide_proof(
    item: WorkItem, submission: Submission, moderator: User, action: str, rule_code: str, note: str
) -> None:
    proof = ProofRequest.objects.select_for_update().get(pk=item.proof_id or 0)
    accepted = action == Action.ACCEPT_PROOF
    _settle_proof(proof, submission, moderator, accepted=accepted, rule_code=rule_code, note=note)


def _settle_proof(
    proof: ProofRequest,
    submission: Submission,
    moderator: User,
    *,
    accepted: bool,
    rule_code: str = "no_consumer_experience",
    note: str = "",
    expired: bool = False,
) -> None:
    """An accepted proof publishes the content "verified by document"; a refused or missing one
    restricts it (refused before publication, removed after) and settles open reports."""
    before = proof.status
    proof.status = (
        ProofRequest.Status.ACCEPTED
        if accepted
        else ProofRequest.Status.EXPIRED
        if expired
        else ProofRequest.Status.REFUSED
    )
    proof.decided_at = timezone.now()
    proof.decided_by = moderator
    proof.save(update_fields=["status", "decided_at", "decided_by"])
    record_event(
        actor=None if expired else moderator,
        action=AuditEvent.Action.PROOF_DECIDED,
        target=proof,
        from_status=before,
        to_status=proof.status,
        rule_code="" if accepted else rule_code,
        details={"submission_id": submission.pk},
    )
    was_public = submission.state == Submission.State.DECIDED and is_visible(submission)
    in_review = submission.state == Submission.State.IN_REVIEW
    if accepted and not (was_public or in_review):
        return  # restricted meanwhile on another ground: a proof of experience does not undo it
    if accepted:
        _moderator_decision(
            submission,
            moderator,
            Decision.Outcome.VERIFY,
            "",
            note,
            source=proof_source(submission),
        )
    elif was_public:
        _moderator_decision(
            submission,
            moderator,
            Decision.Outcome.REMOVE,
            rule_code,
            note,
            source=proof_source(submission),
        )
    elif submission.state == Submission.State.IN_REVIEW:
        _moderator_decision(
            submission, moderator, Decision.Outcome.REJECT, rule_code, note, source=""
        )
    _settle_open_reports(submission, moderator, upheld=not accepted)


@transaction.atomic
def close_withdrawn_content(*, kind: str, object_id: str, actor: User) -> None:
    """Its author withdrew the content: nothing about it is left for moderators to do. Open
    work items close, a pending proof request lapses, open reports close without an outcome
    to act on. Called by the owning app in its withdrawal's transaction."""
    submission = (
        Submission.objects.select_for_update().filter(kind=kind, object_id=str(object_id)).first()
    )
    if submission is None:
        return
    for item in WorkItem.objects.select_for_update().filter(
        submission=submission, state=WorkItem.State.OPEN
    ):
        _close_item(item, moderator=None, outcome="withdrawn")
    now = timezone.now()
    for proof in submission.proofs.select_for_update().filter(
        status__in=(ProofRequest.Status.REQUESTED, ProofRequest.Status.SUBMITTED)
    ):
        before, proof.status, proof.decided_at = proof.status, ProofRequest.Status.WITHDRAWN, now
        proof.save(update_fields=["status", "decided_at"])
        record_event(
            actor=actor,
            action=AuditEvent.Action.PROOF_DECIDED,
            target=proof,
            from_status=before,
            to_status=proof.status,
            details={"submission_id": submission.pk},
        )
    for report in submission.reports.select_for_update().filter(status=Report.Status.OPEN):
        report.status, report.decided_at = Report.Status.WITHDRAWN, now
        report.save(update_fields=["status", "decided_at"])
        record_event(
            actor=actor,
            action=AuditEvent.Action.REPORT_DECIDED,
            target=report,
            from_status=Report.Status.OPEN,
            to_status=report.status,
            rule_code=report.rule_code,
            details={"submission_id": submission.pk, "source": report.source},
        )


def proof_source(submission: Submission) -> str:
    report = submission.reports.filter(status=Report.Status.OPEN).order_by("id").first()
    return report.source if report is not None else ""


def expire_proof_requests(*, now: datetime | None = None) -> int:
    """Proofs not sent before their deadline: the content is restricted under the rule on
    unverifiable experiences, as the request announced. Returns how many expired."""
    now = now or timezone.now()
    ids = list(
        ProofRequest.objects.filter(
            status=ProofRequest.Status.REQUESTED, deadline__lt=now
        ).values_list("pk", flat=True)[:500]
    )
    for proof_id in ids:
        with transaction.atomic():
            proof = (
                ProofRequest.objects.select_for_update(of=("self",))  # not the moderator's row
                .select_related("requested_by")
                .get(pk=proof_id)
            )
            if proof.status != ProofRequest.Status.REQUESTED:
                continue
            submission = Submission.objects.select_for_update().get(pk=proof.submission_id)
            _settle_proof(proof, submission, proof.requested_by, accepted=False, expired=True)
    return len(ids)


@transaction.atomic
def decide_submission(
    *, submission_id: int, moderator: User, outcome: str, rule_code: str = "", note: str = ""
) -> Decision:
    """Decide a submission waiting for a moderator: its open review item, by outcome."""
    item = WorkItem.objects.filter(
        submission_id=submission_id, kind=WorkItem.Kind.REVIEW, state=WorkItem.State.OPEN
    ).first()
    if item is None:
        raise ConflictError(_("This item was already decided."), code="already_decided")
    action = {
        Decision.Outcome.PUBLISH: Action.PUBLISH,
        Decision.Outcome.REJECT: Action.REJECT,
        Decision.Outcome.LABEL: Action.LABEL,
    }.get(Decision.Outcome(outcome))
    if action is None:
        raise ApplicationError(_("Unknown outcome."), code="invalid_outcome")
    decide_work_item(
        item_id=item.pk, moderator=moderator, action=action, rule_code=rule_code, note=note
    )
    return Decision.objects.filter(submission_id=submission_id).latest("id")


# EMAILS SENT ABOUT REPORTS (each task sends once: these record it)
# ------------------------------------------------------------------------------


def mark_report_acknowledged(*, report_id: int) -> None:
    """The reporter was sent the acknowledgement of receipt (DSA-6)."""
    Report.objects.filter(pk=report_id, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )


def mark_report_outcome_notified(*, report_id: int) -> None:
    """The reporter was told the outcome, with the way to contest it (DSA-7)."""
    Report.objects.filter(pk=report_id, outcome_notified_at__isnull=True).update(
        outcome_notified_at=timezone.now()
    )


def mark_sanction_notified(*, sanction_id: int) -> None:
    """The account was told of the warning or suspension of its reporting (DSA art. 23)."""
    ReportingSanction.objects.filter(pk=sanction_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )


def mark_appeal_outcome_notified(*, appeal_id: int, report_id: int | None = None) -> None:
    """The appellant was told the reasoned outcome of their appeal (DSA-19); with `report_id`,
    that reporter was told that the restriction their report obtained was lifted on appeal
    (their report's last news is then this one)."""
    now = timezone.now()
    if report_id is None:
        Appeal.objects.filter(pk=appeal_id, outcome_notified_at__isnull=True).update(
            outcome_notified_at=now
        )
    else:
        Report.objects.filter(pk=report_id).update(outcome_notified_at=now)


# BULK DECISIONS (the moderators' workspace)
# ------------------------------------------------------------------------------

BULK_MAX_ITEMS = 100


@dataclass(frozen=True)
class BulkResult:
    """What became of one item of a bulk decision: decided, or skipped with the reason."""

    item_id: int
    decided: bool
    code: str = ""
    reason: str = ""


def decide_work_items_in_bulk(
    *,
    item_ids: Sequence[int],
    moderator: User,
    action: str,
    rule_code: str = "",
    note: str = "",
) -> list[BulkResult]:
    """Apply one action and rule to a cluster of related items, each decided on its own
    through `decide_work_item`: one transaction per item, each with its own decision, audit
    events and statement of reasons. An item this moderator may not decide (another language,
    a brand they are tied to, held by someone else, already decided, an action that does not
    apply to its kind) is skipped with the reason; the others are still decided."""
    if not moderator.is_moderator:
        raise PermissionDeniedError(_("Only moderators work the queue."))
    unique = list(dict.fromkeys(item_ids))
    if not unique:
        raise ApplicationError(_("Choose at least one item."), code="no_items")
    if len(unique) > BULK_MAX_ITEMS:
        raise ApplicationError(
            _("Decide at most %(max)d items at once.") % {"max": BULK_MAX_ITEMS},
            code="too_many_items",
        )
    results = []
    for item_id in unique:
        try:
            decide_work_item(
                item_id=item_id, moderator=moderator, action=action, rule_code=rule_code, note=note
            )
        except ApplicationError as error:
            results.append(
                BulkResult(
                    item_id=item_id, decided=False, code=error.code, reason=str(error.message)
                )
            )
        else:
            results.append(BulkResult(item_id=item_id, decided=True))
    return results
