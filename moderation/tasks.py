from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from moderation.services import moderate_submission, sweep_undecided_submissions


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError, DatabaseError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=8,
)
def moderate_submission_task(*, submission_id: int) -> None:
    """Idempotent: a submission already decided is left alone (see moderate_submission)."""
    moderate_submission(submission_id=submission_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_undecided_submissions_task() -> None:
    sweep_undecided_submissions()
