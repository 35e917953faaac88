"""The custom user: email login, a public pseudonym, and what moderation needs to know."""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

# Imported authors get an address under this reserved domain (RFC 2606: never deliverable).
IMPORTED_EMAIL_DOMAIN = "imported.invalid"
# An erased account keeps its row (audit events point to it) under an address of this
# reserved domain, and no pseudonym (accounts/privacy.py).
ERASED_EMAIL_DOMAIN = "erased.invalid"
# What every page, email and API shows in place of an erased account's pseudonym.
FORMER_MEMBER = _("Former member")


class PseudonymField(models.CharField):  # type: ignore[type-arg]
    """A pseudonym. An erased account's is empty in the database and reads as "Former member"
    (translated when shown), so that every template, serializer and email that prints
    `author.pseudonym` shows the reviews an erased member chose to keep without naming them."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return FORMER_MEMBER if value == "" else value

    def to_python(self, value: Any) -> Any:
        # A form or full_clean() must not turn the placeholder into a stored pseudonym.
        return value if value is FORMER_MEMBER else super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is FORMER_MEMBER:
            return ""
        return super().get_prep_value(value)


class EmailUserManager(UserManager["User"]):
    """Users are identified by email; there is no username."""

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":  # type: ignore[override]
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":  # type: ignore[override]
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":  # type: ignore[override]
        extra.update(is_staff=True, is_superuser=True, role=User.Role.OPERATOR)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    class Role(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        MODERATOR = "moderator", _("moderator")
        OPERATOR = "operator", _("operator")

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    pseudonym = PseudonymField(
        _("pseudonym"),
        max_length=40,
        help_text=_("The only name ever shown publicly."),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    language = models.CharField(
        _("interface language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    # The review languages a moderator masters (ISO 639-1 codes), NF-MOD-4.
    moderation_languages = models.JSONField(_("languages moderated"), default=list, blank=True)
    # A trusted flagger (DSA art. 22), designated by an operator: their notices come first.
    is_trusted_flagger = models.BooleanField(_("trusted flagger"), default=False)
    # Accounts created by `import_reviews` for authors from another provider: no password,
    # no login, never emailed.
    is_imported = models.BooleanField(default=False)
    # When the account was erased at its owner's request, or as an unverified account past its
    # retention (accounts/privacy.py): the row stays, stripped of everything personal.
    erased_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["pseudonym"]
    objects: ClassVar[EmailUserManager] = EmailUserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            # Erased accounts all have the empty pseudonym ("Former member").
            models.UniqueConstraint(
                Lower("pseudonym"), condition=~Q(pseudonym=""), name="unique_pseudonym_ci"
            ),
        ]

    def __str__(self) -> str:
        return str(self.pseudonym or self.email)  # str(): "Former member" is a lazy string

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def email_domain(self) -> str:
        """The domain of the address; for imported authors, the domain their provider knew."""
        domain = self.email.rsplit("@", 1)[-1].lower() if self.email else ""
        if domain == IMPORTED_EMAIL_DOMAIN:
            return ""
        return domain.removesuffix("." + IMPORTED_EMAIL_DOMAIN)

    @property
    def is_moderator(self) -> bool:
        return self.role in (self.Role.MODERATOR, self.Role.OPERATOR)

    @property
    def is_operator(self) -> bool:
        return self.role == self.Role.OPERATOR


class SentEmail(models.Model):
    """One email sent by a task, under the idempotency key of what it tells (config.emails:
    `send_email_once`): a task delivered twice, or by two workers at once, sends it once. The
    key names objects by id (`review-decision:<review>:<decision>`), never a person."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class PersonalDataPurge(models.Model):
    """One run of the retention purge that removed something (accounts/privacy.py): what the
    PERSONAL_DATA_PURGED audit event points to. Counts only, never whose data."""

    ran_at = models.DateTimeField()
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"personal data purge {self.ran_at:%Y-%m-%d %H:%M}"
