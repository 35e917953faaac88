"""Forms of the moderators' workspace: the decision on one item, and on a cluster of items.

The actions offered are the service's (`ACTIONS_BY_KIND`), the rules the code of conduct's
(`moderation.rules`, filtered by the kinds each applies to): what is published is what a
moderator may cite. The service checks everything again.
"""

from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from moderation.models import WorkItem
from moderation.rules import rules_for_kind
from moderation.services import ACTIONS_BY_KIND, Action

ACTION_LABELS: dict[str, Any] = {
    Action.PUBLISH: _("Publish"),
    Action.REJECT: _("Reject"),
    Action.LABEL: _("Publish with the incentivised label"),
    Action.REQUEST_PROOF: _("Ask the author for proof"),
    Action.REMOVE: _("Remove"),
    Action.DISMISS: _("Dismiss"),
    Action.UPHOLD: _("Uphold the decision"),
    Action.REVERSE: _("Reverse the decision"),
    Action.ACCEPT_PROOF: _("Accept the proof"),
    Action.REFUSE_PROOF: _("Refuse the proof"),
}
# One key per action; the page shows them, static/js/moderation.js presses the buttons.
SHORTCUTS: dict[str, str] = {
    Action.PUBLISH: "p",
    Action.REJECT: "r",
    Action.LABEL: "l",
    Action.REQUEST_PROOF: "e",
    Action.REMOVE: "x",
    Action.DISMISS: "d",
    Action.UPHOLD: "u",
    Action.REVERSE: "v",
    Action.ACCEPT_PROOF: "a",
    Action.REFUSE_PROOF: "f",
}
NEXT_SHORTCUT = "n"
# Actions that restrict the content: the form asks for a rule before sending them.
RESTRICTING_ACTIONS = frozenset({Action.REJECT, Action.LABEL, Action.REMOVE})


def action_choices(kind: str) -> list[tuple[str, Any]]:
    return [(action, ACTION_LABELS[action]) for action in ACTIONS_BY_KIND[kind]]


def rule_choices(content_kind: str) -> list[tuple[str, str]]:
    language = translation.get_language() or "fr"
    return [("", "—")] + [
        (rule.code, f"{rule.title(language)} ({rule.code})")
        for rule in rules_for_kind(content_kind)
    ]


class DecisionForm(forms.Form):
    """The moderator's decision on one item. `reasons` (the answer an appellant receives) only
    for appeals, `manifestly_unfounded` only for reports and flags (DSA art. 23(2))."""

    action = forms.ChoiceField(label=_("Decision"))
    rule_code = forms.ChoiceField(label=_("Rule of the code of conduct"), required=False)
    note = forms.CharField(
        label=_("Internal note"),
        help_text=_("Seen only by moderators."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reasons = forms.CharField(
        label=_("Reasons sent to the person who appealed"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    manifestly_unfounded = forms.BooleanField(
        label=_("The report is manifestly unfounded"),
        help_text=_(
            "Counts towards the reporter's misuse of reporting (warning, then suspension)."
        ),
        required=False,
    )

    def __init__(self, *args: Any, item: WorkItem, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"rule_code": item.rule_code})
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = action_choices(item.kind)  # type: ignore[attr-defined]
        self.fields["rule_code"].choices = rule_choices(item.submission.kind)  # type: ignore[attr-defined]
        # Read by static/js/moderation.js when a shortcut asks for a restriction without a rule.
        self.fields["rule_code"].widget.attrs["data-needs-rule-message"] = _(
            "Choose the rule of the code of conduct that this decision cites, then press the "
            "key again."
        )
        if item.kind != WorkItem.Kind.APPEAL:
            del self.fields["reasons"]
        if item.kind not in (WorkItem.Kind.REPORT, WorkItem.Kind.FLAG):
            del self.fields["manifestly_unfounded"]

    def decision(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "action": data["action"],
            "rule_code": data.get("rule_code", ""),
            "note": data.get("note", ""),
            "reasons": data.get("reasons", ""),
            "manifestly_unfounded": data.get("manifestly_unfounded", False),
        }


class BulkDecisionForm(forms.Form):
    """One action and rule for several open items of one cluster, each decided on its own."""

    items = forms.TypedMultipleChoiceField(
        label=_("Items to decide"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    action = forms.ChoiceField(label=_("Decision"))
    rule_code = forms.ChoiceField(label=_("Rule of the code of conduct"), required=False)
    note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, item: WorkItem, cluster: list[WorkItem], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"rule_code": item.rule_code, "items": [item.pk]})
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (other.pk, str(other.pk)) for other in cluster
        ]
        self.fields["action"].choices = action_choices(item.kind)  # type: ignore[attr-defined]
        self.fields["rule_code"].choices = rule_choices(item.submission.kind)  # type: ignore[attr-defined]
