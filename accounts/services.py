"""Writes on accounts. Every change of identity, verification or role is audited."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from config.errors import ApplicationError, NotFoundError, PermissionDeniedError

SUPPORTED_REVIEW_LANGUAGES = ("fr", "en")


@transaction.atomic
def complete_signup(*, user: User) -> User:
    """Save a user built by the sign-up form (allauth) and audit it. Email not yet verified."""
    user.email = user.email.lower()
    user.email_verified_at = None
    user.save()
    record_event(
        actor=user,
        action=AuditEvent.Action.USER_SIGNED_UP,
        target=user,
        details={"language": user.language},
    )
    return user


@transaction.atomic
def mark_email_verified(*, user_id: int, email: str) -> User:
    """Record that the user proved they receive mail at their address (NF-COL-3). Idempotent."""
    user = User.objects.select_for_update().get(pk=user_id)
    if user.email_verified_at is not None or user.email.lower() != email.lower():
        return user
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    record_event(actor=user, action=AuditEvent.Action.EMAIL_VERIFIED, target=user)
    return user


@transaction.atomic
def change_user_role(*, user_id: int, role: str, actor: User) -> User:
    """Operators give or take the moderator and operator roles. Operators are Django staff."""
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only an operator can change roles."))
    if role not in User.Role.values:
        raise ApplicationError(_("Unknown role."), field="role")
    user = _lock_user(user_id)
    if user.role == role:
        return user
    previous = user.role
    user.role = role
    user.is_staff = role == User.Role.OPERATOR
    user.save(update_fields=["role", "is_staff"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.USER_ROLE_CHANGED,
        target=user,
        from_status=previous,
        to_status=role,
    )
    return user


@transaction.atomic
def set_moderation_languages(*, user_id: int, languages: list[str], actor: User) -> User:
    """Set the review languages a moderator masters (NF-MOD-4)."""
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only an operator can set a moderator's languages."))
    unknown = sorted(set(languages) - set(SUPPORTED_REVIEW_LANGUAGES))
    if unknown:
        raise ApplicationError(
            _("Unsupported language: %(codes)s") % {"codes": ", ".join(unknown)}, field="languages"
        )
    user = _lock_user(user_id)
    cleaned = sorted(set(languages))
    if user.moderation_languages == cleaned:
        return user
    record_event(
        actor=actor,
        action=AuditEvent.Action.USER_LANGUAGES_CHANGED,
        target=user,
        details={"from": user.moderation_languages, "to": cleaned},
    )
    user.moderation_languages = cleaned
    user.save(update_fields=["moderation_languages"])
    return user


def set_interface_language(*, user: User, language: str) -> None:
    """A preference, not a public act: not audited."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def ensure_can_write_publicly(*, user: User) -> None:
    """Nothing public is written before the author's email is verified (NF-COL-2, NF-COL-3)."""
    if not user.is_authenticated or user.is_imported:
        raise PermissionDeniedError(_("You must be logged in."), code="not_authenticated")
    if user.email_verified_at is None:
        raise PermissionDeniedError(
            _("Please verify your email address before writing anything public."),
            code="email_not_verified",
        )


def _lock_user(user_id: int) -> User:
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFoundError(_("This account does not exist."))
    return user
