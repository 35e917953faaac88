"""The Celery application. Settings come from Django's, under the CELERY_ namespace."""

import logging
import os
from typing import Any

from celery import Celery
from celery import Task as BaseTask
from celery.signals import task_postrun, task_prerun
from django.db import InterfaceError, OperationalError, close_old_connections
from kombu.exceptions import OperationalError as BrokerError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

logger = logging.getLogger(__name__)

# What a task that sends something retries on (`autoretry_for`): the network (a mail server
# that does not answer: OSError) and a database connection lost mid-task. The send itself is
# idempotent (config.emails.send_email_once).
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)


class Task(BaseTask):  # type: ignore[misc]
    """A task whose sending never fails the caller when the broker is unreachable.

    Tasks are sent after the commit of the change that asks for them: by then the change is
    stored, and an error would only turn a success into an error page. The failure is logged
    and what was not sent is caught up by periodic tasks that look at the database, not at
    the queue: the sweeper re-enqueues undecided submissions (MODERATION_SWEEP_AFTER),
    `deliver_webhooks_due_task` the pending webhook deliveries. Tasks run eagerly (tests, a
    first run without Redis) are not concerned: they raise as usual.
    """

    def apply_async(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().apply_async(*args, **kwargs)
        except BrokerError:
            logger.exception("Broker unreachable: %s was not enqueued (%s)", self.name, kwargs)
            return None


app = Celery("voix", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections_around_tasks(sender: BaseTask | None = None, **kwargs: Any) -> None:
    """What Django does around each request, around each task a worker runs: a database
    connection is dropped when an error left it unusable, when its health check fails or once
    it is older than CONN_MAX_AGE, and kept otherwise (Celery's own closing is turned off by
    CELERY_DB_REUSE_MAX: it closed every connection after every task). Not for eager tasks: they
    run inside the caller's request or command, whose connection is the caller's business."""
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    close_old_connections()
