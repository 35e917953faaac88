import re

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent

SIGNUP = {
    "email": "lea@example.org",
    "pseudonym": "Léa_75",
    "password1": "un-mot-de-passe-long",
    "password2": "un-mot-de-passe-long",
}


def _confirmation_path(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/compte/confirm-email/[^\s]+/)", body).group(1)


@pytest.mark.req("NF-COL-2", "NF-COL-3")
def test_signup_creates_an_unverified_account_and_sends_a_verification_email(
    client, db, mailoutbox
):
    # when
    response = client.post(reverse("account_signup"), SIGNUP)
    # then
    assert response.status_code == 302
    user = User.objects.get(email="lea@example.org")
    assert (user.pseudonym, user.email_verified_at, user.role) == ("Léa_75", None, "customer")
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_SIGNED_UP)
    assert (event.actor_id, event.object_id) == (user.pk, str(user.pk))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lea@example.org"]
    assert "/compte/confirm-email/" in mailoutbox[0].body


def test_signup_uses_the_visitors_language_as_interface_language(client, db):
    # when
    client.post(reverse("account_signup"), SIGNUP, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert User.objects.get(email="lea@example.org").language == "en"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pseudonym", "camille"),  # taken, whatever the case
        ("pseudonym", "x"),  # too short
        ("pseudonym", "moi@example.org"),  # an email address is not a pseudonym
        ("email", "not-an-email"),
        ("password2", "something-else-entirely"),
    ],
)
def test_invalid_signup_shows_the_field_error_and_creates_nothing(client, customer, field, value):
    # given: customer "Camille" exists
    users_before = User.objects.count()
    # when
    response = client.post(reverse("account_signup"), {**SIGNUP, field: value})
    # then
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.USER_SIGNED_UP).exists()


def test_signup_errors_are_in_french_by_default(client, customer):
    # when
    response = client.post(reverse("account_signup"), {**SIGNUP, "pseudonym": "Camille"})
    # then
    assert response.context["form"].errors["pseudonym"] == ["Ce pseudonyme est déjà pris."]


@pytest.mark.req("NF-COL-3")
def test_following_the_emailed_link_verifies_the_account(client, db, mailoutbox):
    # given
    client.post(reverse("account_signup"), SIGNUP)
    path = _confirmation_path(mailoutbox[0].body)
    # when
    response = client.post(path)
    # then
    assert response.status_code == 302
    user = User.objects.get(email="lea@example.org")
    assert user.email_verified_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.EMAIL_VERIFIED)
    assert (event.actor_id, event.object_id) == (user.pk, str(user.pk))


@pytest.mark.req("NF-COL-3")
def test_login_is_refused_until_the_email_is_verified(client, db):
    # given
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()
    # when
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    # then
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_throttled(client, customer):
    # given: five wrong passwords for the same account
    for _ in range(5):
        client.post(reverse("account_login"), {"login": customer.email, "password": "wrong"})
    # when: even the right password is refused for a while
    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": "correct-horse-battery"}
    )
    # then
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives" in response.content.decode()


def test_password_reset_sends_a_link(client, customer, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": customer.email})
    assert response.status_code == 302
    [email] = mailoutbox
    assert email.to == [customer.email]
    assert "/compte/password/reset/key/" in email.body
