from django import forms
from django.utils.translation import gettext_lazy as _


class ClaimForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work email address"),
        help_text=_("It must be on the brand's web domain. We will send a confirmation link."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
