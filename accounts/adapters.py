"""Hooks django-allauth's sign-up and verification into our services, so both are audited."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.http import HttpRequest
from django.utils import translation

from accounts.models import User
from accounts.services import complete_signup, mark_email_verified


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.pseudonym = form.cleaned_data["pseudonym"]
        user.language = translation.get_language() or "fr"
        if commit:
            complete_signup(user=user)
        return user

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            mark_email_verified(user_id=email_address.user_id, email=email_address.email)
        return confirmed

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return True
