"""Periodic work on accounts and personal data."""

from celery import shared_task

from accounts.privacy import purge_expired_personal_data


@shared_task(acks_late=True)
def purge_expired_personal_data_task() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE): personal data past its retention period. Idempotent:
    a run delivered twice purges nothing the second time."""
    return purge_expired_personal_data()
