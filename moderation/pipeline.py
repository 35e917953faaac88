"""Run every check on a submission and decide, explaining why.

1. A finding of an automatic content rule at or above MODERATION_REJECT_THRESHOLD rejects with
   that rule.
2. Otherwise, any finding at or above MODERATION_HUMAN_THRESHOLD, or a combined authenticity
   risk at or above it, sends the submission to a moderator with the risk and its explanation.
3. Otherwise the submission is published.
No branch reads the rating (NF-MOD-3): checks that look at it treat both ends alike.
"""

from dataclasses import dataclass

from django.conf import settings

from moderation.checks.authenticity import AUTHENTICITY_CHECKS, shared_history
from moderation.checks.base import Finding
from moderation.checks.content import CONTENT_CHECKS
from moderation.models import Decision, Submission
from moderation.rules import RULES, Action, Category, get_rule, rules_for_kind

PIPELINE_VERSION = "pipeline-2026.1"
_RULE_ORDER = {code: index for index, code in enumerate(RULES)}


@dataclass(frozen=True)
class Verdict:
    outcome: str
    rule_code: str
    risk_score: float
    findings: list[Finding]
    explanation: list[str]


def run_checks(submission: Submission) -> list[Finding]:
    findings: list[Finding] = []
    for content_check in CONTENT_CHECKS:
        findings += content_check(
            title=submission.title, text=submission.text, language=submission.language
        )
    with shared_history():  # the window checks share one read of the store
        for authenticity_check in AUTHENTICITY_CHECKS:
            findings += authenticity_check(submission)
    applicable = {rule.code for rule in rules_for_kind(submission.kind)}
    return [finding for finding in findings if finding.rule_code in applicable]


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
