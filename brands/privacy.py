"""Personal data held by brands: invitations a customer received (their email, name and order
reference, issue 6), brand memberships and domain claims, and the webhook delivery log
(registered with accounts.privacy in BrandsConfig.ready())."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from brands.models import DomainClaim, Invitation, Membership, WebhookDelivery

# Invitations that may still email the customer.
OPEN_INVITATION_STATUSES = (
    Invitation.Status.SCHEDULED,
    Invitation.Status.SENT,
    Invitation.Status.REMINDED,
)


def export_brands(*, user: User) -> dict[str, Any]:
    return {
        "invitations_received": [
            {
                "brand": invitation.brand.name,
                "place": invitation.place.name if invitation.place else None,
                "email": invitation.email,
                "name": invitation.name,
                "order_reference": invitation.order_reference,
                "purchase_date": invitation.purchase_date,
                "product": invitation.product,
                "status": invitation.status,
                "created_at": invitation.created_at,
                "sent_at": invitation.sent_at,
                "reminded_at": invitation.reminded_at,
                "reviewed_at": invitation.reviewed_at,
                "opted_out_at": invitation.opted_out_at,
            }
            for invitation in Invitation.objects.filter(email__iexact=user.email)
            .select_related("brand", "place")
            .order_by("id")
        ],
        "brand_memberships": [
            {"brand": m.brand.name, "role": m.role, "since": m.created_at}
            for m in Membership.objects.filter(user=user).select_related("brand").order_by("id")
        ],
        "brand_claims": [
            {
                "brand": claim.brand.name,
                "email": claim.email,
                "status": claim.status,
                "created_at": claim.created_at,
                "decided_at": claim.decided_at,
            }
            for claim in DomainClaim.objects.filter(user=user)
            .select_related("brand")
            .order_by("id")
        ],
    }


def erase_brands(*, user: User, email: str, keep_reviews: bool) -> dict[str, int]:
    """Invitations to the member's address stop (declined) and lose their personal data; the
    member leaves the brands they belonged to; their claims forget the address they gave.
    Replies they wrote stay: they are the brand's words, shown under the brand's name."""
    received = Invitation.objects.filter(email__iexact=email)
    for invitation in received.filter(status__in=OPEN_INVITATION_STATUSES).select_for_update():
        previous = invitation.status
        invitation.status = Invitation.Status.OPTED_OUT
        invitation.opted_out_at = timezone.now()
        invitation.save(update_fields=["status", "opted_out_at"])
        record_event(
            actor=None,
            action=AuditEvent.Action.INVITATION_OPTED_OUT,
            target=invitation,
            from_status=previous,
            to_status=invitation.status,
            details={"brand_id": invitation.brand_id, "reason": "account_erased"},
        )
    invitations = _strip_invitations(received)
    memberships = 0
    for membership in Membership.objects.filter(user=user).select_for_update():
        record_event(
            actor=None,
            action=AuditEvent.Action.MEMBERSHIP_REMOVED,
            target=membership,
            from_status=membership.role,
            details={"brand_id": membership.brand_id, "user_id": user.pk, "reason": "erased"},
        )
        membership.delete()
        memberships += 1
    claims = DomainClaim.objects.filter(user=user).exclude(email="").update(email="")
    return {
        "invitations_erased": invitations,
        "memberships_removed": memberships,
        "claim_emails_erased": claims,
    }


def erase_invitations(*, invitation_ids: list[int]) -> int:
    """The invitations a member's reviews were written from (their address may differ from
    the account's): reviews/privacy.py calls this when the account is erased."""
    return _strip_invitations(Invitation.objects.filter(pk__in=invitation_ids))


def purge_brands(*, now: datetime) -> dict[str, int]:
    """Invitations INVITATION_PERSONAL_DATA_RETENTION after their last event; webhook
    deliveries WEBHOOK_DELIVERY_RETENTION after their creation, once no longer pending."""
    # On SQLite, Greatest is NULL if any argument is (PostgreSQL ignores NULLs): an event that
    # did not happen counts as the creation.
    last_event = Greatest(
        "created_at",
        *(
            Coalesce(name, "created_at")
            for name in ("sent_at", "reminded_at", "reviewed_at", "opted_out_at")
        ),
    )
    expired = (
        Invitation.objects.exclude(status=Invitation.Status.SCHEDULED)
        .alias(last_event=last_event)
        .filter(last_event__lt=now - settings.INVITATION_PERSONAL_DATA_RETENTION)
    )
    deliveries, _by_model = (
        WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.PENDING)
        .filter(created_at__lt=now - settings.WEBHOOK_DELIVERY_RETENTION)
        .delete()
    )
    return {"invitations": _strip_invitations(expired), "webhook_deliveries": deliveries}


def _strip_invitations(invitations: Any) -> int:
    """The customer's email, name and order reference; what the brand asked about (product,
    date of purchase) and what became of it stay, for its figures. The order reference gets
    a unique stand-in: one invitation per order and email is a constraint."""
    return int(
        invitations.exclude(email="").update(
            email="",
            name="",
            order_reference=Concat(Value("purged-"), Cast("pk", output_field=CharField())),
        )
    )
