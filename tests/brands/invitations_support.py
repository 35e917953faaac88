"""Helpers of the invitation tests: invitations made through the real services."""

import datetime
from typing import Any

from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from brands.invitations import create_invitation, send_invitation
from brands.models import Brand, Invitation
from tests.factories import BrandFactory, MembershipFactory, UserFactory

# Everyone who may knock on a brand's invitation endpoints.
ROLES = (
    "anonymous",
    "customer",
    "owner",
    "manager",
    "agent",
    "other_brand_owner",
    "moderator",
    "operator",
)
INVITING = ("owner", "manager")


def make_actor(role: str, brand: Brand) -> User | None:
    if role == "anonymous":
        return None
    if role in ("owner", "manager", "agent"):
        return MembershipFactory(brand=brand, role=role).user
    if role == "other_brand_owner":
        return MembershipFactory(brand=BrandFactory(), role="owner").user
    if role == "moderator":
        return UserFactory(role="moderator", moderation_languages=["fr", "en"])
    if role == "operator":
        return UserFactory(role="operator", is_staff=True)
    return UserFactory()


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def invite(brand: Brand, actor: User, **fields: Any) -> Invitation:
    values = {
        "email": "client@example.net",
        "order_reference": "CMD-1042",
        "purchase_date": days_ago(2),
        "product": "Baguette tradition",
        "customers_only": True,
        **fields,
    }
    return create_invitation(brand=brand, actor=actor, **values)


def send_now(invitation: Invitation) -> str | None:
    """Send an invitation at once (as if its delay had passed), after-commit work included."""
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SCHEDULED).update(
        send_after=timezone.now()
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        kind = send_invitation(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    return kind


def sent_invitation(brand: Brand, actor: User, **fields: Any) -> Invitation:
    invitation = invite(brand, actor, **fields)
    send_now(invitation)
    return invitation
