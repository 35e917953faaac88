"""Statements of reasons (DSA art. 17): what the person concerned reads, and the record sent to
the EU Transparency Database (DSA art. 24(5)).

A `StatementOfReasons` row is written with each restricting decision (services._issue_statement)
in the database's terms. The person concerned reads it in their language: the rule's title and
explanation from the code of conduct, the checks in plain words, and the redress open to them
(the database has no field for redress, so every rendering adds it). `tdb_statement` turns a row
into the database's API format, field names and values as docs/standards.md §3; nothing in it
names a person or quotes the content.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from moderation.models import Appeal, Report, StatementOfReasons
from moderation.rules import Rule, get_rule
from moderation.services import appeal_deadline, latest_decision

# The European Commission's list of the out-of-court dispute settlement bodies certified under
# DSA art. 21: any of them may be chosen, whatever the country.
ODS_BODIES_URL = (
    "https://digital-strategy.ec.europa.eu/en/policies/dsa-out-court-dispute-settlement"
)

# The automated checks (moderation/checks), named for the people whose content they found.
CHECK_LABELS: dict[str, Promise] = {
    "insult": _("insults and profanity"),
    "hate_speech": _("hate speech"),
    "threat": _("threats"),
    "personal_data": _("personal data"),
    "advertising": _("links and advertising"),
    "unintelligible": _("unintelligible text"),
    "language": _("language of the text"),
    "near_duplicate": _("text very similar to another review"),
    "shared_device": _("several accounts on one device"),
    "shared_network": _("several accounts on one network"),
    "rating_burst": _("unusual burst of similar ratings"),
    "new_account_extreme_rating": _("new account with an extreme rating"),
    "rating_text_mismatch": _("rating contradicting the text"),
    "undisclosed_incentive": _("undisclosed counterpart"),
    "tied_to_brand": _("ties between the author and the brand"),
}

ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"


def get_latest_statement(*, kind: str, object_id: str) -> StatementOfReasons | None:
    """The last statement of reasons issued about this content, with its decision."""
    return (
        StatementOfReasons.objects.filter(
            submission__kind=kind, submission__object_id=str(object_id)
        )
        .select_related("decision", "submission")
        .order_by("-created_at", "-id")
        .first()
    )


def list_statements(*, start: datetime, end: datetime) -> QuerySet[StatementOfReasons]:
    """The statements issued in [start, end), oldest first."""
    return StatementOfReasons.objects.filter(created_at__gte=start, created_at__lt=end).order_by(
        "created_at", "id"
    )


def found_by_checks(statement: StatementOfReasons) -> list[Promise | str]:
    """The automated checks that found what the decision's rule forbids, in plain words
    (translated when rendered)."""
    names = sorted(
        set(
            statement.submission.signals.filter(rule_code=statement.decision.rule_code).values_list(
                "check_name", flat=True
            )
        )
    )
    return [CHECK_LABELS.get(name, name) for name in names]


def origin_label(statement: StatementOfReasons) -> Promise:
    """What led to the decision (DSA art. 17(3)(b)), without naming anyone who reported it."""
    if statement.source_type == "SOURCE_VOLUNTARY":
        return _("our own initiative: the checks every piece of content goes through")
    if statement.source_type == "SOURCE_TRUSTED_FLAGGER":
        return _("a notice from a trusted flagger (Digital Services Act, article 22)")
    if statement.source_type == "SOURCE_ARTICLE_16":
        return _("a notice of illegal content (Digital Services Act, article 16)")
    source = statement.decision.source
    if source in Report.Source.values:
        return Report.Source(source).label
    return _("a report")


@dataclass(frozen=True)
class AppealWindow:
    """Where the internal appeal against a decision stands (DSA-17): a statement's decision,
    or the dismissal of a report (`decision_id` None)."""

    decision_id: int | None
    deadline: datetime
    in_force: bool  # the decision is still the latest one: there is something to contest
    appeal_status: str  # "" while not contested
    appeal_decided_at: datetime | None
    now: datetime

    @property
    def is_open(self) -> bool:
        return self.in_force and not self.appeal_status and self.now <= self.deadline


def get_appeal_window(statement: StatementOfReasons, *, now: datetime) -> AppealWindow:
    appeal = Appeal.objects.filter(decision_id=statement.decision_id).first()
    latest = latest_decision(statement.submission)
    return AppealWindow(
        decision_id=statement.decision_id,
        deadline=appeal_deadline(informed_at=statement.informed_at or statement.created_at),
        in_force=latest is not None and latest.pk == statement.decision_id,
        appeal_status=appeal.status if appeal else "",
        appeal_decided_at=appeal.decided_at if appeal else None,
        now=now,
    )


def get_report_appeal_window(report: Report, *, now: datetime) -> AppealWindow:
    """The same for a reporter: a dismissed report may be contested (DSA art. 20(1))."""
    appeal = Appeal.objects.filter(report_id=report.pk).first()
    return AppealWindow(
        decision_id=None,
        deadline=appeal_deadline(informed_at=report.decided_at or report.created_at),
        in_force=report.status == Report.Status.DISMISSED and report.decided_at is not None,
        appeal_status=appeal.status if appeal else "",
        appeal_decided_at=appeal.decided_at if appeal else None,
        now=now,
    )


def statement_rule(statement: StatementOfReasons) -> Rule:
    return get_rule(statement.decision.rule_code)


# THE EU TRANSPARENCY DATABASE (DSA art. 24(5)): API format, docs/standards.md §3
# ------------------------------------------------------------------------------

TDB_BATCH_SIZE = 100  # the most statements one call of POST /api/v1/statements accepts
_LIMITS = {
    "decision_facts": 5000,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "decision_ground_reference_url": 500,
}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _day(value: date) -> str:
    return value.isoformat()


def tdb_statement(statement: StatementOfReasons) -> dict[str, Any]:
    """One statement in the Transparency Database's API format. Only fields of the table; no
    personal data: the facts name the rule and the checks, the source never its notifier."""
    record: dict[str, Any] = {
        "decision_visibility": [statement.decision_visibility],
        "decision_ground": statement.decision_ground,
        "decision_ground_reference_url": statement.decision_ground_reference_url,
        "content_type": list(statement.content_type),
        "category": statement.category,
        "territorial_scope": list(statement.territorial_scope),
        "content_language": statement.content_language,
        "content_date": _day(statement.content_date),
        "application_date": _day(statement.application_date),
        "decision_facts": statement.decision_facts,
        "source_type": statement.source_type,
        "automated_detection": "Yes" if statement.automated_detection else "No",
        "automated_decision": statement.automated_decision,
        "puid": statement.puid,
    }
    if statement.category_specification:
        record["category_specification"] = list(statement.category_specification)
    if statement.end_date_visibility_restriction is not None:
        record["end_date_visibility_restriction"] = _day(statement.end_date_visibility_restriction)
    if statement.decision_ground == ILLEGAL:
        record["illegal_content_legal_ground"] = statement.legal_ground or statement.ground
        record["illegal_content_explanation"] = statement.ground_explanation
    else:
        record["incompatible_content_ground"] = statement.ground
        record["incompatible_content_explanation"] = statement.ground_explanation
    for name, limit in _LIMITS.items():
        if name in record:
            record[name] = _clip(record[name], limit)
    return record
