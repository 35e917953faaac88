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
