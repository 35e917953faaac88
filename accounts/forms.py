from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import FORMER_MEMBER, User


def reserved_pseudonyms() -> set[str]:
    """What erased accounts show ("Former member", in every language): nobody may take it."""
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(FORMER_MEMBER).casefold())
    return names


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
        if pseudonym.casefold() in reserved_pseudonyms():
            raise forms.ValidationError(_("This pseudonym is reserved."))
        if User.objects.filter(pseudonym__iexact=pseudonym).exists():
            raise forms.ValidationError(_("This pseudonym is already taken."))
        return pseudonym

    def signup(self, request: Any, user: User) -> None:
        """Called by allauth after the user is saved; the adapter already stored the pseudonym."""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class AccountErasureForm(forms.Form):
    """The erasure of one's account (accounts/privacy.py): a choice for the reviews, the
    password, and an explicit confirmation, because it cannot be undone."""

    reviews = forms.ChoiceField(
        label=_("Your reviews"),
        widget=forms.RadioSelect,
        choices=[
            (
                "remove",
                _("Remove them: they leave the public pages and the ratings at once."),
            ),
            (
                "keep",
                _('Keep them, published under "Former member", without any link to you.'),
            ),
        ],
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be erased and that this cannot be undone."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Wrong password."))
        return password
