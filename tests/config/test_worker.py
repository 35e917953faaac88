import os

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from brands.models import DomainClaim
from tests.conftest import wait_until
from tests.factories import BrandFactory, UserFactory


@pytest.mark.worker
def test_a_real_worker_sends_the_claim_email_through_redis(
    transactional_db, real_broker, celery_worker_process
):
    # given
    brand = BrandFactory(name="Vélos Rapides", domain="velosrapides.fr")
    api = APIClient()
    api.force_authenticate(UserFactory())
    # when: the request commits and enqueues the email task on Redis
    response = api.post(
        reverse("api-brand-claim", args=[brand.slug]), {"email": "atelier@velosrapides.fr"}
    )
    # then: the worker process picked it up and sent the email
    assert response.status_code == 201
    emails = wait_until(celery_worker_process.emails)
    assert len(emails) == 1
    assert "To: atelier@velosrapides.fr" in emails[0]
    assert "/marques/revendication/" in emails[0]
    assert DomainClaim.objects.get().status == "pending"


@pytest.mark.worker
def test_health_sees_the_worker(
    transactional_db, real_broker, celery_worker_process, client, settings
):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


# DATABASE CONNECTIONS AROUND TASKS (config.celery_app.close_old_connections_around_tasks)
# ------------------------------------------------------------------------------


def _run_task_signals(*, eager: bool = False) -> None:
    """What a worker does around each task: Celery's Django fix-up and our handler."""
    from types import SimpleNamespace

    from celery.fixups.django import DjangoWorkerFixup
    from celery.signals import task_postrun, task_prerun

    from config.celery_app import app

    class Task:  # what the handlers read of a task (signals need a hashable sender)
        request = SimpleNamespace(is_eager=eager)

    task = Task()
    fixup = DjangoWorkerFixup(app)
    fixup.on_task_prerun(task)
    task_prerun.send(sender=task, task_id="t", task=task)
    fixup.on_task_postrun(task)
    task_postrun.send(sender=task, task_id="t", task=task)


@pytest.mark.postgres  # Django never closes SQLite's in-memory test database
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks():
    # given: a connection that may live on (CONN_MAX_AGE not reached), as in production
    from django.db import connection

    connection.ensure_connection()
    connection.close_at = None
    raw = connection.connection
    # when: a task runs
    _run_task_signals()
    # then: neither Celery's fix-up nor our handler closed it (a new PostgreSQL connection per
    # task was more than half of a moderation worker's time: docs/benchmarks.md)
    assert connection.connection is raw


@pytest.mark.postgres  # Django never closes SQLite's in-memory test database
@pytest.mark.django_db(transaction=True)
def test_a_worker_drops_a_connection_past_its_age_or_broken_by_an_error():
    from django.db import connection

    # given: a connection older than CONN_MAX_AGE
    connection.ensure_connection()
    connection.close_at = 0.0
    # when: a task runs
    _run_task_signals()
    # then: it was closed, and the next task opens a new one
    assert connection.connection is None
    # given: a connection an error left unusable
    connection.ensure_connection()
    connection.close_at = None
    connection.connection.close()
    connection.errors_occurred = True
    # when
    _run_task_signals()
    # then
    assert connection.connection is None


@pytest.mark.postgres  # Django never closes SQLite's in-memory test database
@pytest.mark.django_db(transaction=True)
def test_an_eager_task_leaves_the_callers_connection_alone():
    from django.db import connection

    # given: a connection past its age, in a request that runs a task eagerly
    connection.ensure_connection()
    connection.close_at = 0.0
    raw = connection.connection
    # when
    _run_task_signals(eager=True)
    # then: the request's connection is its own business
    assert connection.connection is raw
