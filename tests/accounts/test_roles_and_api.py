import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import ensure_can_write_publicly
from audit.models import AuditEvent
from config.errors import PermissionDeniedError


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.req("NF-COL-3")
def test_unverified_accounts_cannot_write_anything_public(unverified_user):
    with pytest.raises(PermissionDeniedError) as error:
        ensure_can_write_publicly(user=unverified_user)
    assert error.value.code == "email_not_verified"


def test_operator_makes_a_customer_moderator_and_it_is_audited(api, operator, customer):
    # given
    api.force_authenticate(operator)
    # when
    response = api.post(reverse("api-user-role", args=[customer.pk]), {"role": "moderator"})
    # then
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.role, customer.is_staff) == ("moderator", False)
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_ROLE_CHANGED)
    assert (event.actor_id, event.object_id, event.from_status, event.to_status) == (
        operator.pk,
        str(customer.pk),
        "customer",
        "moderator",
    )


def test_operator_role_makes_the_user_staff(api, operator, customer):
    api.force_authenticate(operator)
    api.post(reverse("api-user-role", args=[customer.pk]), {"role": "operator"})
    customer.refresh_from_db()
    assert (customer.role, customer.is_staff) == ("operator", True)


@pytest.mark.parametrize("actor_fixture", ["customer", "moderator", "brand_owner"])
def test_only_operators_change_roles(request, api, actor_fixture, unverified_user):
    # given
    api.force_authenticate(request.getfixturevalue(actor_fixture))
    # when
    response = api.post(reverse("api-user-role", args=[unverified_user.pk]), {"role": "operator"})
    # then
    assert response.status_code == 403
    assert User.objects.get(pk=unverified_user.pk).role == "customer"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.USER_ROLE_CHANGED).exists()


def test_role_change_needs_authentication(api, customer):
    response = api.post(reverse("api-user-role", args=[customer.pk]), {"role": "operator"})
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    ("user_id", "payload", "status"),
    [
        (999_999, {"role": "moderator"}, 404),
        (None, {"role": "king"}, 400),
        (None, {}, 400),
    ],
)
def test_bad_role_changes_get_a_clear_error(api, operator, customer, user_id, payload, status):
    api.force_authenticate(operator)
    response = api.post(reverse("api-user-role", args=[user_id or customer.pk]), payload)
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.USER_ROLE_CHANGED).exists()


@pytest.mark.req("NF-MOD-4")
def test_operator_sets_the_languages_a_moderator_masters(api, operator, moderator):
    # given
    api.force_authenticate(operator)
    # when
    response = api.post(
        reverse("api-user-languages", args=[moderator.pk]), {"languages": ["fr"]}, format="json"
    )
    # then
    assert response.status_code == 200
    moderator.refresh_from_db()
    assert moderator.moderation_languages == ["fr"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_LANGUAGES_CHANGED)
    assert event.details == {"from": ["fr", "en"], "to": ["fr"]}


def test_unsupported_moderation_language_is_refused(api, operator, moderator):
    api.force_authenticate(operator)
    response = api.post(
        reverse("api-user-languages", args=[moderator.pk]),
        {"languages": ["fr", "xx"]},
        format="json",
    )
    assert response.status_code == 400
    assert "xx" in str(response.json()["languages"])
    moderator.refresh_from_db()
    assert moderator.moderation_languages == ["fr", "en"]


def test_token_for_a_verified_account(api, customer):
    response = api.post(
        reverse("api-token"), {"email": customer.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api.get(reverse("api-me"))
    assert me.json()["pseudonym"] == "Camille"


def test_no_token_before_the_email_is_verified(api, unverified_user):
    response = api.post(
        reverse("api-token"), {"email": unverified_user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"


def test_wrong_password_gets_no_token(api, customer):
    response = api.post(reverse("api-token"), {"email": customer.email, "password": "nope"})
    assert response.status_code == 400


def test_token_endpoint_is_throttled(api, customer):
    statuses = [
        api.post(reverse("api-token"), {"email": customer.email, "password": "x"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_me_needs_authentication(api, db):
    assert api.get(reverse("api-me")).status_code in (401, 403)
