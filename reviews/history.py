"""A review's public history: the part of its audit trail that anyone may see (FR-3, NF-MOD-7).

The timeline is the review's own audit events plus the moderation engine's decision events on
its submission, in chain order. Each event becomes one entry through `DESCRIBERS`, keyed by the
event's action: a new kind of event (a reply, a report, an appeal) adds one describer. An event
without a describer still appears, with its action's name and hashes only.

What is never shown: who acted (the actor's id, pseudonym or email: decisions say "the automated
checks" or "a moderator"), the network and device hashes, moderators' notes, the signals of the
checks and their evidence, the risk score. The rule a decision applied is public (it cites the
published code of conduct); the rule that only sent a review to a moderator is not, because a
suspicion a moderator may clear is not a finding.

Hashes: every event's `hash` is SHA-256 over the previous event's hash (in the whole chain, not
only this review's) and the event's canonical JSON (`audit.services.canonical_event_json`). The
canonical JSON of an event is published when it holds nothing personal or internal (no actor,
only public details); otherwise it is withheld and the hash is shown alone, so anyone holding an
export of the trail, and `manage.py verify_audit_trail`, can check it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.selectors import list_events_for
from audit.services import HASHED_FIELDS, canonical_event_json
from moderation.rules import RULES
from moderation.selectors import list_decision_events, list_proof_events
from reviews.models import Review
from reviews.reply_selectors import list_public_reply_events

# Details that may be published as they are (and so the canonical JSON of events holding only
# these, with no actor). Anything else in `details` is internal.
PUBLIC_DETAIL_KEYS = frozenset({"decision_id", "outcome", "decided_by", "ruleset_version"})
RESTRICTING_OUTCOMES = ("reject", "label", "remove")


@dataclass(frozen=True)
class HistoryEntry:
    event_id: int
    at: datetime
    kind: str  # a stable name for the entry, for styling and tests
    label: str
    decided_by: str = ""  # "the automated checks" / "a moderator" / "its author", translated
    rule_code: str = ""
    hash: str = ""
    prev_hash: str = ""
    canonical_json: str | None = None  # None: withheld, see the module docstring
    public_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def rule_title(self) -> str:
        rule = RULES.get(self.rule_code)
        return self.rule_code if rule is None else rule.title(translation.get_language() or "fr")


@dataclass(frozen=True)
class ReviewHistory:
    review: Review
    entries: list[HistoryEntry]

    @property
    def text_is_public(self) -> bool:
        return self.review.status == Review.Status.PUBLISHED

    def as_json(self) -> dict[str, Any]:
        """The downloadable history: what is hashed, and how, for each public event."""
        return {
            "review_id": self.review.pk,
            "status": self.review.status,
            "hash_algorithm": "sha256",
            "hash_input": "prev_hash + canonical_json (UTF-8)",
            "canonical_json": (
                "JSON of the fields "
                + ", ".join(HASHED_FIELDS)
                + "; keys sorted, separators ',' and ':', non-ASCII kept, created_at in UTC "
                "as YYYY-MM-DDTHH:MM:SSZ"
            ),
            "chain": "prev_hash is the hash of the previous event of the whole audit trail",
            "events": [
                {
                    "id": entry.event_id,
                    **entry.public_fields,
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                    "canonical_json": entry.canonical_json,
                    "withheld": [] if entry.canonical_json is not None else ["actor_id", "details"],
                }
                for entry in self.entries
            ],
        }


def get_review_history(*, review_id: int) -> ReviewHistory | None:
    """The public history of a review, whatever its status; None for an unknown id. 2 queries."""
    review = (
        Review.objects.select_related("brand", "place", "reply__published")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return None
    events = _list_public_events(review)
    return ReviewHistory(review=review, entries=[describe_event(event) for event in events])


def _list_public_events(review: Review) -> QuerySet[AuditEvent]:
    return (
        list_events_for(target=review)
        | list_decision_events(kind="review", object_id=str(review.pk))
        | list_proof_events(kind="review", object_id=str(review.pk))
        | list_public_reply_events(review_id=review.pk)
    ).order_by("id")


def _decided_by(event: AuditEvent) -> str:
    by = event.details.get("decided_by")
    if by == "pipeline":
        return _("the automated checks")
    if by == "moderator":
        return _("a moderator")
    return ""


def _submitted(event: AuditEvent) -> tuple[str, str, str, str]:
    return "submitted", _("Submitted"), "", ""


def _decided(event: AuditEvent) -> tuple[str, str, str, str]:
    outcome = event.details.get("outcome", "")
    automated = event.details.get("decided_by") == "pipeline"
    rule = event.rule_code if outcome in RESTRICTING_OUTCOMES else ""
    if outcome == "send_to_human":
        return "sent_to_moderator", _("Sent to a moderator"), _decided_by(event), ""
    if outcome == "publish":
        label = _("Passed the automated checks") if automated else _("Approved by a moderator")
        return "checks_passed", label, _decided_by(event), ""
    if outcome == "label":
        label = _("Approved, to be published with a label")
        return "approved_with_label", label, _decided_by(event), rule
    if outcome in ("reject", "remove"):
        return (
            "rule_applied",
            _("A rule of the code of conduct was applied"),
            _decided_by(event),
            rule,
        )
    if outcome == "verify":
        label = _("Proof of experience accepted: verified review")
        return "verified", label, _decided_by(event), ""
    return "decided", _("Moderation decision"), _decided_by(event), rule


def _status_changed(event: AuditEvent) -> tuple[str, str, str, str]:
    to = event.to_status
    restricting = event.details.get("outcome") in RESTRICTING_OUTCOMES
    rule = event.rule_code if restricting or to == Review.Status.REMOVED else ""
    if to == Review.Status.PUBLISHED:
        return "published", _("Published"), _decided_by(event), rule
    if to == Review.Status.REJECTED:
        return "rejected", _("Rejected"), _decided_by(event), rule
    if to == Review.Status.IN_REVIEW:
        return "in_review", _("Awaiting a moderator"), "", ""
    if to == Review.Status.WITHDRAWN:
        return "withdrawn", _("Withdrawn by its author"), _("its author"), ""
    if to == Review.Status.REMOVED:
        return "removed", _("Removed"), _decided_by(event), rule
    return "status_changed", _("Status changed"), "", ""


def _voted_helpful(event: AuditEvent) -> tuple[str, str, str, str]:
    return "voted_helpful", _("A reader found this review helpful"), "", ""


def _badges_changed(event: AuditEvent) -> tuple[str, str, str, str]:
    if event.details.get("outcome") == "verify":
        return "verified", _("Now shown as a verified review"), _decided_by(event), ""
    return "label_changed", _("Label updated"), _decided_by(event), ""


def _report_filed(event: AuditEvent) -> tuple[str, str, str, str]:
    """Who reported is never shown; what kind of report it was is."""
    labels = {
        "illegal_content": _("Reported as illegal content"),
        "code_of_conduct": _("Reported under the code of conduct"),
        "brand_flag": _("The brand flagged a doubt about its authenticity"),
    }
    return "reported", labels.get(event.details.get("source", ""), _("Reported")), "", ""


def _report_decided(event: AuditEvent) -> tuple[str, str, str, str]:
    if event.to_status == "upheld":
        return "report_upheld", _("Report upheld"), _decided_by(event) or _("a moderator"), ""
    label = _("Report examined: the review stays")
    return "report_dismissed", label, _("a moderator"), ""


def _appeal_filed(event: AuditEvent) -> tuple[str, str, str, str]:
    if event.details.get("by") == "reporter":
        return "appealed", _("A reporter contested the decision"), "", ""
    return "appealed", _("Its author contested the decision"), "", ""


def _appeal_decided(event: AuditEvent) -> tuple[str, str, str, str]:
    if event.to_status == "reversed":
        return "appeal_reversed", _("Appeal: the decision was reversed"), _("a moderator"), ""
    return "appeal_upheld", _("Appeal: the decision was confirmed"), _("a moderator"), ""


def _proof_requested(event: AuditEvent) -> tuple[str, str, str, str]:
    return "proof_requested", _("Proof of experience asked of its author"), _("a moderator"), ""


def _proof_uploaded(event: AuditEvent) -> tuple[str, str, str, str]:
    """The document itself, its type and size are never shown."""
    return "proof_uploaded", _("Its author sent a proof of experience"), _("its author"), ""


def _proof_decided(event: AuditEvent) -> tuple[str, str, str, str]:
    if event.to_status == "accepted":
        label = _("Proof of experience examined: it shows the experience")
        return "proof_accepted", label, _("a moderator"), ""
    if event.to_status == "expired":
        label = _("No proof of experience received before the deadline")
        return "proof_expired", label, "", event.rule_code
    label = _("Proof of experience examined: refused")
    return "proof_refused", label, _("a moderator"), event.rule_code


def _reply_status_changed(event: AuditEvent) -> tuple[str, str, str, str]:
    """The brand's reply: published (a first reply, or an update) or removed."""
    if event.to_status == "removed":
        label = _("The brand's reply was removed")
        return "reply_removed", label, _decided_by(event), event.rule_code
    if event.details.get("replaces_version_id"):
        return "reply_updated", _("The brand updated its reply"), "", ""
    return "replied", _("The brand replied"), "", ""


# One describer per kind of event: (kind, label, decided by, public rule code).
DESCRIBERS: dict[str, Callable[[AuditEvent], tuple[str, str, str, str]]] = {
    AuditEvent.Action.REVIEW_SUBMITTED: _submitted,
    AuditEvent.Action.MODERATION_DECIDED: _decided,
    AuditEvent.Action.REVIEW_STATUS_CHANGED: _status_changed,
    AuditEvent.Action.REVIEW_VOTED_HELPFUL: _voted_helpful,
    AuditEvent.Action.PROOF_REQUESTED: _proof_requested,
    AuditEvent.Action.PROOF_UPLOADED: _proof_uploaded,
    AuditEvent.Action.PROOF_DECIDED: _proof_decided,
    AuditEvent.Action.REVIEW_BADGES_CHANGED: _badges_changed,
    AuditEvent.Action.REPORT_FILED: _report_filed,
    AuditEvent.Action.REPORT_DECIDED: _report_decided,
    AuditEvent.Action.APPEAL_FILED: _appeal_filed,
    AuditEvent.Action.APPEAL_DECIDED: _appeal_decided,
    AuditEvent.Action.REPLY_STATUS_CHANGED: _reply_status_changed,
}


def _is_public(event: AuditEvent, shown_rule: str) -> bool:
    """May the event's canonical JSON be published? Only with no actor, public details only,
    and no rule code beyond the one the entry shows."""
    return (
        event.actor_id is None
        and set(event.details) <= PUBLIC_DETAIL_KEYS
        and event.rule_code == shown_rule
    )


def describe_event(event: AuditEvent) -> HistoryEntry:
    describer = DESCRIBERS.get(event.action)
    if describer is None:
        kind, label, decided_by, rule = "event", event.get_action_display(), "", ""
    else:
        kind, label, decided_by, rule = describer(event)
    return HistoryEntry(
        event_id=event.pk,
        at=event.created_at,
        kind=kind,
        label=str(label),
        decided_by=decided_by,
        rule_code=rule,
        hash=event.hash,
        prev_hash=event.prev_hash,
        canonical_json=canonical_event_json(event) if _is_public(event, rule) else None,
        public_fields={
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "rule_code": event.rule_code if rule else "",
            "created_at": event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
