from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    # The brand's web domain (e.g. "exemple.fr"); a claim is proven by an address on it.
    domain = models.CharField(_("web domain"), max_length=253, blank=True)
    domain_verified_at = models.DateTimeField(_("domain verified at"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The events at least one active webhook of the brand wants (brands.webhooks keeps it):
    # a decision on one of its reviews skips the webhook lookup when it is not there, which
    # is every decision for the many brands without webhooks.
    webhook_events = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    class Kind(models.TextChoices):
        SHOP = "shop", _("shop")
        AGENCY = "agency", _("agency")
        OUTLET = "outlet", _("outlet")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="places")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SHOP)
    city = models.CharField(_("city"), max_length=120)
    address = models.CharField(_("address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)

    class Meta:
        ordering = ["city", "name"]
        constraints = [models.UniqueConstraint(fields=["brand", "slug"], name="unique_place_slug")]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        MANAGER = "manager", _("manager")
        AGENT = "agent", _("agent")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand", "user"], name="one_membership")]

    def __str__(self) -> str:
        return f"{self.user} — {self.brand} ({self.role})"


class DomainClaim(models.Model):
    """A user's request to join a brand, proven by an email address on the brand's domain."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting email confirmation")
        VERIFIED = "verified", _("verified by email")
        APPROVED = "approved", _("approved by an operator")
        REJECTED = "rejected", _("rejected by an operator")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="brand_claims"
    )
    email = models.EmailField(_("email address on the brand's domain"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "user"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_user_brand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.brand} ({self.status})"


class Invitation(models.Model):
    """A brand's request to one customer to review one order or service (ISO-COL-1..9).

    No field says anything about the customer's satisfaction: an invitation cannot be gated
    (FTC-2). A review written from its link is "verified by invitation" (FR-17), once.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("to be sent")
        SENT = "sent", _("sent")
        REMINDED = "reminded", _("reminder sent")
        REVIEWED = "reviewed", _("review written")
        OPTED_OUT = "opted_out", _("the customer declined")
        CANCELLED = "cancelled", _("cancelled by the brand")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="invitations")
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("customer's email"))
    name = models.CharField(_("customer's name"), max_length=200, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=100)
    purchase_date = models.DateField(_("date of purchase or service"))
    product = models.CharField(_("product or service"), max_length=200, blank=True)
    # The customer's language when the brand knows it ("fr", "en"); empty: French.
    language = models.CharField(
        _("customer's language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    # The secret in the invitation's link (a random token; only its hash would do as well,
    # but the link must be re-sent in the reminder).
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One invitation per order and customer: a re-uploaded file adds nothing.
            models.UniqueConstraint(
                fields=["brand", "order_reference", "email"], name="one_invitation_per_order"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "send_after"], name="invitation_due_idx"),
            models.Index(fields=["brand", "created_at"], name="invitation_brand_idx"),
        ]

    def __str__(self) -> str:
        return f"invitation {self.order_reference} ({self.status})"


class InvitationOptOut(models.Model):
    """A customer asked never to be invited again by this brand (ISO-COL-5).

    Only a keyed hash of the address is kept (brands.invitations.email_digest): enough to
    refuse a later invitation to it, never enough to write to it.
    """

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+")
    email_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "email_hash"], name="one_opt_out_per_email")
        ]

    def __str__(self) -> str:
        return f"opt-out {self.brand_id}:{self.email_hash[:8]}"


class BrandApiToken(models.Model):
    """A key a brand's systems use on its API (issue 6, integrations).

    The key reads `voix_<prefix>_<secret>`: the prefix finds the row, only a hash of the
    secret is stored (brands.integrations.hash_token_secret), the key is shown once.
    """

    class Scope(models.TextChoices):
        READ_REVIEWS = "read_reviews", _("read the brand's reviews")
        REPLY = "reply", _("reply to reviews")
        INVITE = "invite", _("invite customers")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"voix_{self.prefix}_… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEndpoint(models.Model):
    """An address of the brand's systems told of events about its reviews, signed with
    `secret` (brands.webhooks)."""

    class Event(models.TextChoices):
        REVIEW_PUBLISHED = "review.published", _("a review is published")
        REVIEW_REMOVED = "review.removed", _("a review is removed")
        REPLY_PUBLISHED = "reply.published", _("a reply of the brand is published")

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="webhook_endpoints")
    url = models.URLField(_("address"), max_length=500)
    # Needed in clear to sign each delivery; shown to the brand once, at creation.
    secret = models.CharField(max_length=64)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint, sent until delivered or WEBHOOK_MAX_ATTEMPTS is reached."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(max_length=32, choices=WebhookEndpoint.Event.choices)
    payload = models.JSONField()
    # <event>:<object type>:<object id>:<version>; the receiver's way to ignore a repeat.
    idempotency_key = models.CharField(max_length=128)
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "idempotency_key"], name="one_delivery_per_event_version"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
