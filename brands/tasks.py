from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from brands.invitations import list_due_invitation_ids, send_invitation
from brands.models import DomainClaim
from brands.services import make_claim_token
from config.celery_app import TRANSIENT_ERRORS
from config.emails import send_email_once


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def send_brand_claim_email_task(*, claim_id: int) -> None:
    """Email the signed link to the address on the brand's domain. Safe to redeliver: the link
    is the same claim, and only the first click counts."""
    claim = DomainClaim.objects.select_related("brand", "user").filter(pk=claim_id).first()
    if claim is None or claim.status != DomainClaim.Status.PENDING:
        return
    link = settings.SITE_URL + reverse(
        "brands:claim-verify", kwargs={"token": make_claim_token(claim=claim)}
    )
    with translation.override(claim.user.language):
        context = {
            "claim": claim,
            "link": link,
            "max_age_days": settings.BRAND_CLAIM_LINK_MAX_AGE.days,
        }
        subject = render_to_string("brands/email/claim_subject.txt", context).strip()
        body = render_to_string("brands/email/claim_body.txt", context)
    send_email_once(EmailMessage(subject, body, None, [claim.email]), key=f"brand-claim:{claim.pk}")


# REVIEW INVITATIONS (brands/invitations.py)
# ------------------------------------------------------------------------------


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_due_invitations_task() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): hand each invitation or reminder now due to a worker.
    A second run before they are handled enqueues them again, harmlessly: each send locks its
    row and checks again that it is due."""
    ids = list_due_invitation_ids()
    for invitation_id in ids:
        send_invitation_task.delay(invitation_id=invitation_id)
    return len(ids)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def send_invitation_task(*, invitation_id: int) -> str | None:
    """Email one invitation or its reminder if it is still due (brands.invitations)."""
    return send_invitation(invitation_id=invitation_id)


# WEBHOOKS (brands/webhooks.py); "brands.tasks.deliver_webhook*" routes to the webhooks queue
# ------------------------------------------------------------------------------


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_webhook_task(*, delivery_id: int) -> str | None:
    """One attempt at a delivery if it is due; a failure leaves it to the periodic task, at its
    next_attempt_at. Running twice sends once: the attempt claims the row."""
    from brands.webhooks import deliver_webhook

    return deliver_webhook(delivery_id=delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_webhooks_due_task() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): hand each delivery due (a retry, or one whose first
    attempt was never enqueued) to a worker."""
    from brands.webhooks import list_due_delivery_ids

    ids = list_due_delivery_ids()
    for delivery_id in ids:
        deliver_webhook_task.delay(delivery_id=delivery_id)
    return len(ids)
