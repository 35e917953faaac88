"""Run every check on a submission and decide, explaining why.

1. A finding of an automatic content rule at or above MODERATION_REJECT_THRESHOLD rejects with
   that rule.
2. Otherwise, any finding at or above MODERATION_HUMAN_THRESHOLD, or a combined authenticity
   risk at or above it, sends the submission to a moderator with the risk and its explanation.
3. Otherwise the submission is published.
A current authenticity model adds one more signal (`assess`): a high score sends to a moderator,
never rejects.
No branch reads the rating (NF-MOD-3): checks that look at it treat both ends alike.
"""

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.conf import settings

from moderation.checks.authenticity import AUTHENTICITY_CHECKS, shared_history
from moderation.checks.base import Finding
from moderation.checks.content import CONTENT_CHECKS
from moderation.models import Decision, Submission
from moderation.registry import media
from moderation.rules import RULES, Action, Category, get_rule, rules_for_kind

if TYPE_CHECKING:
    from moderation.authenticity.scoring import ModelScore

PIPELINE_VERSION = "pipeline-2026.1"
_RULE_ORDER = {code: index for index, code in enumerate(RULES)}


@dataclass(frozen=True)
class Verdict:
    outcome: str
    rule_code: str
    risk_score: float
    findings: list[Finding]
    explanation: list[str]
    # The authenticity model's signal, when a current model scored the submission.
    model: "ModelScore | None" = None


def run_checks(submission: Submission) -> list[Finding]:
    findings: list[Finding] = []
    for content_check in CONTENT_CHECKS:
        findings += content_check(
            title=submission.title, text=submission.text, language=submission.language
        )
    with shared_history():  # the window checks share one read of the store
        for authenticity_check in AUTHENTICITY_CHECKS:
            findings += authenticity_check(submission)
    findings += check_media(submission)
    applicable = {rule.code for rule in rules_for_kind(submission.kind)}
    return [finding for finding in findings if finding.rule_code in applicable]


def check_media(submission: Submission) -> list[Finding]:
    """Photos and videos cannot be checked automatically: a moderator looks at them first."""
    attached = media(kind=submission.kind, object_id=submission.object_id)
    if not attached:
        return []
    return [
        Finding(
            check="media",
            rule_code="media_review",
            score=1.0,
            evidence=f"{len(attached)} photo(s) or video(s) attached",
            data={"count": len(attached)},
        )
    ]


def combined_risk(findings: list[Finding]) -> float:
    """1 - Π(1 - score) over authenticity and relevance findings: independent evidence adds up."""
    remaining = 1.0
    for finding in findings:
        if get_rule(finding.rule_code).category != Category.CONTENT:
            remaining *= 1.0 - finding.score
    return round(1.0 - remaining, 3)


def _strongest(findings: list[Finding]) -> Finding:
    return min(findings, key=lambda f: (-f.score, _RULE_ORDER[f.rule_code]))


def decide(findings: list[Finding]) -> Verdict:
    risk = combined_risk(findings)
    explanation = [
        f"{f.check} ({f.score:.2f}): {f.evidence}"
        for f in sorted(findings, key=lambda f: (-f.score, _RULE_ORDER[f.rule_code]))
    ]
    breaches = [
        f
        for f in findings
        if get_rule(f.rule_code).automatic
        and get_rule(f.rule_code).action == Action.REJECT
        and f.score >= settings.MODERATION_REJECT_THRESHOLD
    ]
    if breaches:
        return Verdict(
            Decision.Outcome.REJECT, _strongest(breaches).rule_code, risk, findings, explanation
        )
    doubtful = [f for f in findings if f.score >= settings.MODERATION_HUMAN_THRESHOLD]
    if doubtful or (findings and risk >= settings.MODERATION_HUMAN_THRESHOLD):
        return Verdict(
            Decision.Outcome.SEND_TO_HUMAN,
            _strongest(doubtful or findings).rule_code,
            risk,
            findings,
            [f"combined risk {risk:.2f}", *explanation],
        )
    return Verdict(Decision.Outcome.PUBLISH, "", risk, findings, explanation)


# THE AUTHENTICITY MODEL: one more signal, never a rejection
# ------------------------------------------------------------------------------
# The rule a review sent to a moderator by the model alone cites: the model estimates whether
# the review reflects a real experience.
MODEL_RULE = "no_consumer_experience"


def assess(submission: Submission) -> Verdict:
    """The checks and the decision; then, when a current authenticity model exists, its score.

    The model's score (a calibrated probability of a fake, learned from moderators' decisions)
    becomes the risk score when it is higher, and a score at or above
    AUTHENTICITY_MODEL_HUMAN_THRESHOLD sends to a moderator a review the checks would have
    published. It never rejects and never overturns a check's decision. No model: exactly the
    checks' decision."""
    from moderation.authenticity.scoring import model_for, score_submission

    model = model_for(submission)
    if model is None:
        return decide(run_checks(submission))
    with shared_history():  # the model reads what the checks read, without reading it again
        findings = run_checks(submission)
        score = score_submission(submission, findings, model=model)
    return with_model_score(decide(findings), score)


def with_model_score(verdict: Verdict, score: "ModelScore") -> Verdict:
    """The model's score is recorded on the decision (score, version, explanation) rather than
    as a signal: one row fewer to write for every review."""
    from moderation.authenticity.features import MODEL_CHECK

    reasons = "; ".join(score.reasons) or "no feature stands out"
    line = f"{MODEL_CHECK} ({score.score:.2f}, {score.version}): {reasons}"
    verdict = replace(
        verdict,
        risk_score=max(verdict.risk_score, score.score),
        explanation=[*verdict.explanation, line],
        model=score,
    )
    alert = score.score >= settings.AUTHENTICITY_MODEL_HUMAN_THRESHOLD
    if verdict.outcome == Decision.Outcome.PUBLISH and alert:
        return replace(
            verdict,
            outcome=Decision.Outcome.SEND_TO_HUMAN,
            rule_code=MODEL_RULE,
            explanation=[f"authenticity model score {score.score:.2f}", *verdict.explanation],
        )
    return verdict
