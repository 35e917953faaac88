"""The custom user: email login, a public pseudonym, and what moderation needs to know."""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

# Imported authors get an address under this reserved domain (RFC 2606: never deliverable).
IMPORTED_EMAIL_DOMAIN = "imported.invalid"


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
    pseudonym = models.CharField(
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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["pseudonym"]
    objects: ClassVar[EmailUserManager] = EmailUserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("pseudonym"), name="unique_pseudonym_ci"),
        ]

    def __str__(self) -> str:
        return self.pseudonym or self.email

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
