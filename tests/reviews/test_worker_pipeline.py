import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from moderation.models import Decision
from reviews.models import Review
from tests.conftest import wait_until
from tests.factories import BrandFactory, PlaceFactory, UserFactory


def _post(api, brand, place, text, rating=4):
    return api.post(
        reverse("api-reviews"),
        {
            "brand": brand.slug,
            "place": place.pk,
            "channel": "in_store",
            "rating": rating,
            "title": "Mon avis",
            "text": text,
            "attested": True,
            "experience_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        },
        format="json",
        REMOTE_ADDR="192.0.2.44",
    )


@pytest.mark.worker
@pytest.mark.req("NF-MOD-2", "FR-4", "NF-MOD-7")
def test_reviews_are_decided_by_a_real_worker_within_seconds(
    transactional_db, real_broker, celery_worker_process
):
    # given
    brand = BrandFactory(name="Vélos Rapides")
    place = PlaceFactory(brand=brand)
    clean, insulting = APIClient(), APIClient()
    clean.force_authenticate(UserFactory(email="claire@example.org"))
    insulting.force_authenticate(UserFactory(email="igor@example.org"))
    # when
    ok = _post(
        clean,
        brand,
        place,
        "Réparation rapide de mon vélo, conseils utiles et prix "
        "annoncé respecté. Je reviendrai pour la révision.",
    )
    bad = _post(
        insulting,
        brand,
        place,
        "Le vendeur est un vrai connard, il m'a parlé comme à "
        "un chien pendant toute la réparation.",
        rating=1,
    )
    # then: both decided by the worker process, through Redis
    assert (ok.status_code, bad.status_code) == (201, 201)
    wait_until(lambda: not Review.objects.filter(status="submitted").exists(), timeout=30)
    assert Review.objects.get(pk=ok.json()["id"]).status == "published"
    rejected = Review.objects.get(pk=bad.json()["id"])
    assert (rejected.status, rejected.rule_code) == ("rejected", "insult")
    assert Decision.objects.filter(decided_by__isnull=True).count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MODERATION_DECIDED).count() == 2

    # and the authors got their emails, the rejected one with the rule and how to appeal
    def emails_to(address):
        return [m for m in celery_worker_process.emails() if f"To: {address}" in m]

    assert len(wait_until(lambda: emails_to("claire@example.org"))) == 1
    [rejection] = wait_until(lambda: emails_to("igor@example.org"))
    assert "insult" in rejection
    assert f"/avis/{rejected.pk}/contester/" in rejection  # the appeal form (DSA-17)
