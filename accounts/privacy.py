"""Personal data: a person's export, their account's erasure, and the retention purge.

Every app stores some personal data, and `accounts` sits below all of them, so it cannot
import them (R1). As with the moderation engine's kinds (moderation/registry.py), each app
registers a provider in its AppConfig.ready(), with up to three hooks:

- `export(*, user)`: what the app holds about the user, as JSON-able data (their own data
  only: never another person's name, email or pseudonym);
- `erase(*, user, email, keep_reviews)`: strip what the account's erasure removes, inside the
  erasure's transaction; returns counts;
- `purge(*, now)`: remove what passed its retention period (settings, "PERSONAL DATA
  RETENTION"), never earlier (ISO-MOD-3); idempotent; returns counts.

The user row itself is never deleted: audit events point to their actor (PROTECT) and the
audit table is append-only. It is stripped instead: placeholder address, no pseudonym
("Former member"), no password, inactive.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ERASED_EMAIL_DOMAIN, FORMER_MEMBER, PersonalDataPurge, User
from audit.models import AuditEvent
from audit.services import record_event
from config.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError

EXPORT_FORMAT = "voix-personal-data/1"

# What becomes of an erased member's reviews, as they choose.
REVIEWS_REMOVE = "remove"  # withdrawn: they leave public pages and ratings at once
REVIEWS_KEEP = "keep"  # kept, shown as by "Former member"
REVIEW_CHOICES = (REVIEWS_REMOVE, REVIEWS_KEEP)

Counts = dict[str, int]


@dataclass(frozen=True)
class PersonalDataProvider:
    name: str
    export: Callable[..., Any] | None = None
    erase: Callable[..., Counts] | None = None
    purge: Callable[..., Counts] | None = None


_providers: dict[str, PersonalDataProvider] = {}


def register_personal_data(
    name: str,
    *,
    export: Callable[..., Any] | None = None,
    erase: Callable[..., Counts] | None = None,
    purge: Callable[..., Counts] | None = None,
) -> None:
    """Called from an AppConfig.ready(); `name` is the provider's section of the export."""
    _providers[name] = PersonalDataProvider(name=name, export=export, erase=erase, purge=purge)


def get_providers() -> list[PersonalDataProvider]:
    """In registration order: the order of INSTALLED_APPS, lowest layer first."""
    return list(_providers.values())


# EXPORT
# ------------------------------------------------------------------------------


@transaction.atomic
def export_personal_data(*, user_id: int, actor: User) -> dict[str, Any]:
    """Everything Voix holds about the account, for its owner only (GDPR art. 15 and 20)."""
    user = _own_account(user_id=user_id, actor=actor)
    now = timezone.now()
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": now,
        "account": {
            "id": user.pk,
            "email": user.email,
            "pseudonym": str(user.pseudonym),
            "role": user.role,
            "interface_language": user.language,
            "moderation_languages": user.moderation_languages,
            "trusted_flagger": user.is_trusted_flagger,
            "joined_at": user.date_joined,
            "email_verified_at": user.email_verified_at,
            "last_login": user.last_login,
        },
        # What the account did, as the audit trail records it: actions and dates. `details`
        # are left out: they describe the objects acted on, which may be other people's.
        "activity": [
            {
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "rule_code": event.rule_code,
                "at": event.created_at,
            }
            for event in AuditEvent.objects.filter(actor=user).order_by("id")
        ],
    }
    for provider in get_providers():
        if provider.export is not None:
            data[provider.name] = provider.export(user=user)
    record_event(
        actor=actor,
        action=AuditEvent.Action.ACCOUNT_DATA_EXPORTED,
        target=user,
        details={"sections": sorted(data)},
    )
    # Plain JSON types, whatever the providers returned (dates, lazy strings).
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


# ERASURE
# ------------------------------------------------------------------------------


@transaction.atomic
def erase_account(*, user_id: int, actor: User, reviews: str) -> User:
    """Erase the account at its owner's request (GDPR art. 17). `reviews` is their choice:
    "remove" withdraws every live review (it leaves public pages and ratings at once), "keep"
    leaves them published under "Former member". What the law or the standard requires to
    keep stays (the audit trail, rejected and removed reviews for REVIEW_RETENTION), without
    anything that names the person."""
    if reviews not in REVIEW_CHOICES:
        raise ApplicationError(_("Choose what becomes of your reviews."), field="reviews")
    user = _own_account(user_id=user_id, actor=actor, lock=True)
    counts = _erase(user, keep_reviews=reviews == REVIEWS_KEEP)
    record_event(
        actor=user,
        action=AuditEvent.Action.ACCOUNT_ERASED,
        target=user,
        details={"reviews": reviews, "counts": counts, "requested_by": "owner"},
    )
    return user


def _erase(user: User, *, keep_reviews: bool) -> Counts:
    """Strip the account and let every app remove what it holds; the caller audits."""
    email = user.email
    counts: Counts = {}
    # Highest layer first: reviews are withdrawn before their submissions are stripped.
    for provider in reversed(get_providers()):
        if provider.erase is not None:
            counts.update(provider.erase(user=user, email=email, keep_reviews=keep_reviews))
    user.email = f"erased-{user.pk}@{ERASED_EMAIL_DOMAIN}"
    user.pseudonym = FORMER_MEMBER  # stored empty (accounts.models.PseudonymField)
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.role = User.Role.CUSTOMER
    user.is_trusted_flagger = False
    user.language = settings.LANGUAGE_CODE
    user.moderation_languages = []
    user.email_verified_at = None
    user.last_login = None
    user.erased_at = timezone.now()
    user.save()
    # Copies of the address or of the login elsewhere in Django and its libraries.
    from allauth.account.models import EmailAddress
    from rest_framework.authtoken.models import Token

    EmailAddress.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=str(FORMER_MEMBER))
    return counts


def _own_account(*, user_id: int, actor: User, lock: bool = False) -> User:
    """Only the account's owner exports or erases it: not a moderator, not an operator."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDeniedError(_("You must be logged in."), code="not_authenticated")
    if actor.pk != user_id:
        raise PermissionDeniedError(_("Only its owner can export or erase an account."))
    users = User.objects.select_for_update() if lock else User.objects
    user = users.filter(pk=user_id).first()
    if user is None:
        raise NotFoundError(_("This account does not exist."))
    if user.erased_at is not None:
        raise ConflictError(_("This account has been erased."), code="erased")
    return user


# RETENTION
# ------------------------------------------------------------------------------


@transaction.atomic
def purge_expired_personal_data(*, now: datetime | None = None) -> Counts:
    """Remove the personal data whose retention period has passed (PERSONAL DATA RETENTION),
    never earlier; run periodically. Idempotent: a second run finds nothing more. Audited
    with counts only, and only when something was removed."""
    now = now or timezone.now()
    counts: Counts = {}
    for provider in get_providers():
        if provider.purge is not None:
            counts.update(provider.purge(now=now))
    counts["unverified_accounts"] = _erase_unverified_accounts(now=now)
    removed = {name: count for name, count in counts.items() if count}
    if removed:
        run = PersonalDataPurge.objects.create(ran_at=now, counts=removed)
        record_event(
            actor=None,
            action=AuditEvent.Action.PERSONAL_DATA_PURGED,
            target=run,
            details={"counts": removed},
        )
    return counts


def _erase_unverified_accounts(*, now: datetime) -> int:
    """Accounts whose address was never verified, UNVERIFIED_ACCOUNT_RETENTION after sign-up.
    They could write nothing public (NF-COL-3): nothing of theirs is shown anywhere."""
    cutoff = now - settings.UNVERIFIED_ACCOUNT_RETENTION
    stale = User.objects.select_for_update().filter(
        email_verified_at__isnull=True,
        erased_at__isnull=True,
        is_imported=False,
        # Staff accounts made with `createsuperuser` never verify an address: not concerned.
        role=User.Role.CUSTOMER,
        is_staff=False,
        date_joined__lt=cutoff,
    )
    erased = 0
    for user in stale:
        counts = _erase(user, keep_reviews=True)
        record_event(
            actor=None,
            action=AuditEvent.Action.ACCOUNT_ERASED,
            target=user,
            details={"reviews": REVIEWS_KEEP, "counts": counts, "requested_by": "retention"},
        )
        erased += 1
    return erased
