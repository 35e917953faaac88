"""The three ways to report a review, as forms: a notice of illegal content (anyone, DSA art.
16), a report under the code of conduct (verified accounts), a brand's doubt about authenticity
(brand members, FR-5). The services check everything again: the forms only give clear errors
next to the fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from moderation.models import Report
from moderation.rules import rules_for_kind

EXPLANATION_MAX_LENGTH = 5000


class NoticeForm(forms.Form):
    """DSA art. 16(2): (a) why the content is illegal, (b) its exact location, (c) the
    notifier's name and email, (d) a statement of good faith."""

    source = forms.CharField(widget=forms.HiddenInput, initial=Report.Source.ILLEGAL_CONTENT)
    explanation = forms.CharField(
        label=_("Why is this content illegal?"),
        help_text=_("Explain precisely which law it breaks and why."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=EXPLANATION_MAX_LENGTH,
        error_messages={"required": _("Explain why you consider this content illegal.")},
    )
    location_url = forms.URLField(
        label=_("Exact location of the content (address of the page)"),
        max_length=500,
        assume_scheme="https",
        error_messages={"required": _("Give the exact address of the content.")},
    )
    notifier_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Give your name.")},
    )
    notifier_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send the acknowledgement and the decision to this address."),
        error_messages={"required": _("Give your email address.")},
    )
    good_faith_confirmed = forms.BooleanField(
        label=_(
            "I declare in good faith that the information and allegations in this notice are "
            "accurate and complete."
        ),
        error_messages={"required": _("Confirm your statement of good faith.")},
    )

    def __init__(self, *args: Any, user: User | None, location_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "prefix": "notice"})
        self.fields["location_url"].initial = location_url
        if user is not None:
            # An account's notice is sent from its own address, which file_report uses.
            self.fields["notifier_name"].initial = user.pseudonym
            email = self.fields["notifier_email"]
            email.initial = user.email
            email.disabled = True
            email.help_text = _("The address of your account: we write to it.")


class ConductReportForm(forms.Form):
    source = forms.CharField(widget=forms.HiddenInput, initial=Report.Source.CODE_OF_CONDUCT)
    rule_code = forms.ChoiceField(
        label=_("Which rule of the code of conduct does it break?"),
        error_messages={"required": _("Choose the rule that the review breaks.")},
    )
    explanation = forms.CharField(
        label=_("Explain what breaks the rule"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=EXPLANATION_MAX_LENGTH,
        error_messages={"required": _("Explain what breaks the rule.")},
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "prefix": "conduct"})
        # Illegal content has its own notice, with the fields the law asks for.
        self.fields["rule_code"].choices = [  # type: ignore[attr-defined]
            ("", _("— choose a rule —")),
            *(
                (rule.code, rule.title(language))
                for rule in rules_for_kind("review")
                if rule.code != "illegal_content"
            ),
        ]


class FlagForm(forms.Form):
    source = forms.CharField(widget=forms.HiddenInput, initial=Report.Source.BRAND_FLAG)
    flag_reason = forms.ChoiceField(
        label=_("Reason for your doubt"),
        choices=[("", _("— choose a reason —")), *Report.FlagReason.choices],
        error_messages={"required": _("Choose the reason for your doubt from the list.")},
    )
    explanation = forms.CharField(
        label=_("Explain your doubt"),
        help_text=_("What you checked and what you found: order records, dates, places."),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=10,
        max_length=EXPLANATION_MAX_LENGTH,
        error_messages={"required": _("Explain your doubt: a flag needs a reason.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "prefix": "flag"})
