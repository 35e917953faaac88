from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SignupForm(forms.Form):
    """Extra sign-up field for allauth: the public pseudonym (NF-COL-2: public sees only it)."""

    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=40,
        min_length=3,
        help_text=_("Shown publicly with your reviews. Never your real name or email."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_pseudonym(self) -> str:
        pseudonym = " ".join(self.cleaned_data["pseudonym"].split())
        if "@" in pseudonym:
            raise forms.ValidationError(_("A pseudonym cannot contain an email address."))
        if User.objects.filter(pseudonym__iexact=pseudonym).exists():
            raise forms.ValidationError(_("This pseudonym is already taken."))
        return pseudonym

    def signup(self, request: Any, user: User) -> None:
        """Called by allauth after the user is saved; the adapter already stored the pseudonym."""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
