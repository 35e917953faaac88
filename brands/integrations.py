"""API tokens of a brand (issue 6, integrations): its systems read its reviews, reply and
invite customers without a person's session.

- Only owners and managers create, list and revoke tokens; each creation and revocation is
  audited. A token has scopes (read_reviews, reply, invite) and works only on its brand.
- The key, `voix_<prefix>_<secret>`, is shown once: only the prefix (to find the row) and a
  SHA-256 hash of the secret are stored. The secret is 256 random bits: a fast hash suffices.
- A request with `Authorization: Bearer <key>` acts for the brand as the token's creator (a
  reply's author is the creator); a revoked token, or one whose creator left the brand or may
  no longer create tokens, is refused (401). See brands/authentication.py.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from brands.models import Brand, BrandApiToken, Membership
from config.errors import ApplicationError, NotFoundError, PermissionDeniedError
from config.text import has_control_characters

KEY_PREFIX = "voix"
# Roles that manage a brand's integrations (tokens and webhooks); agents only reply.
INTEGRATION_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def can_manage_integrations(*, user: User, brand: Brand) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(brand=brand, user=user, role__in=INTEGRATION_ROLES).exists()
    )


def ensure_can_manage_integrations(*, user: User, brand: Brand) -> None:
    if not can_manage_integrations(user=user, brand=brand):
        raise PermissionDeniedError(
            _("Only an owner or a manager of the brand can manage its API tokens and webhooks."),
            code="not_brand_manager",
        )


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: BrandApiToken
    key: str  # shown once, never stored


@transaction.atomic
def create_api_token(
    *, brand: Brand, actor: User, name: str, scopes: Iterable[str]
) -> CreatedToken:
    ensure_can_manage_integrations(user=actor, brand=brand)
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("Please name the token."), field="name", code="required")
    if has_control_characters(name):
        raise ApplicationError(
            _("This text contains invisible control characters."),
            field="name",
            code="control_characters",
        )
    wanted = sorted(set(scopes))
    unknown = [s for s in wanted if s not in BrandApiToken.Scope.values]
    if not wanted or unknown:
        raise ApplicationError(
            _("Choose one or more scopes among: %(scopes)s.")
            % {"scopes": ", ".join(BrandApiToken.Scope.values)},
            field="scopes",
            code="invalid_scope",
        )
    active = BrandApiToken.objects.filter(brand=brand, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ApplicationError(
            _("This brand has %(max)d active tokens: revoke one first.")
            % {"max": MAX_ACTIVE_TOKENS},
            code="too_many_tokens",
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = BrandApiToken.objects.create(
        brand=brand,
        name=name[:100],
        scopes=wanted,
        prefix=prefix,
        secret_hash=hash_token_secret(secret),
        created_at=timezone.now(),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.API_TOKEN_CREATED,
        target=token,
        details={"brand_id": brand.pk, "prefix": prefix, "scopes": wanted},
    )
    return CreatedToken(token=token, key=f"{KEY_PREFIX}_{prefix}_{secret}")


@transaction.atomic
def revoke_api_token(*, brand: Brand, token_id: int, actor: User) -> BrandApiToken:
    ensure_can_manage_integrations(user=actor, brand=brand)
    token = BrandApiToken.objects.select_for_update().filter(pk=token_id, brand=brand).first()
    if token is None:
        raise NotFoundError(_("This token does not exist."))
    if token.revoked_at is not None:
        return token  # revoked already: nothing changes, nothing more to record
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.API_TOKEN_REVOKED,
        target=token,
        details={"brand_id": brand.pk, "prefix": token.prefix},
    )
    return token


def list_api_tokens(*, brand_id: int) -> QuerySet[BrandApiToken]:
    return (
        BrandApiToken.objects.filter(brand_id=brand_id)
        .select_related("created_by")
        .defer("secret_hash")
        .order_by("-created_at", "-pk")
    )


def authenticate_api_token(*, key: str) -> BrandApiToken | None:
    """The active token of this key, or None; notes when it was last used."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    token = (
        BrandApiToken.objects.select_related("brand", "created_by").filter(prefix=parts[1]).first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_token_secret(parts[2])):
        return None
    if token.revoked_at is not None or not token.created_by.is_active:
        return None
    # A token is its creator's delegation: it ends when the creator may no longer grant it.
    if not Membership.objects.filter(
        brand_id=token.brand_id, user_id=token.created_by_id, role__in=INTEGRATION_ROLES
    ).exists():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        BrandApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
