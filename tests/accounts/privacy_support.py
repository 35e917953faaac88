"""A member with something of every kind of personal data, and a search of the whole database
for a string (tests of accounts/privacy.py)."""

import datetime
import itertools
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.test import TestCase
from django.utils import timezone

from brands.models import Invitation
from reviews.models import Review
from reviews.services import report_review, vote_review_helpful
from tests.factories import PlaceFactory, UserFactory
from tests.reviews.publishing import submit_and_decide

_numbers = itertools.count(1)


@dataclass
class Member:
    user: Any
    email: str
    pseudonym: str
    reviews: list[Review]
    invitation: Invitation
    others_review: Review


def invitation_for(*, brand: Any, email: str, name: str, order: str, **values: Any) -> Invitation:
    """An invitation the brand emailed to that address (a row: the sending is not tested here)."""
    n = next(_numbers)
    now = timezone.now()
    return Invitation.objects.create(
        brand=brand,
        email=email,
        name=name,
        order_reference=order,
        purchase_date=timezone.localdate() - datetime.timedelta(days=5),
        product="Galette des rois",
        token=f"privacy-invitation-token-{n}",
        status=values.pop("status", Invitation.Status.SENT),
        send_after=now,
        sent_at=values.pop("sent_at", now),
        created_by=UserFactory(),
        created_at=values.pop("created_at", now),
        **values,
    )


def member_with_data(*, brand: Any, moderator: Any) -> Member:
    """Two published reviews, a helpful vote and a notice on someone else's review, and an
    invitation received; someone else's review and invitation around them."""
    user = UserFactory(email="hortense.lenoir@example.org", pseudonym="Hortensia")
    first = submit_and_decide(brand=brand, moderator=moderator, author=user, rating=5)
    second = submit_and_decide(
        brand=brand, moderator=moderator, author=user, rating=2, place=PlaceFactory(brand=brand)
    )
    other = UserFactory(email="bastien.roux@example.org", pseudonym="Bastoune")
    others_review = submit_and_decide(brand=brand, moderator=moderator, author=other, rating=4)
    vote_review_helpful(review_id=others_review.pk, user=user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        report_review(
            review_id=others_review.pk,
            reporter=user,
            source="illegal_content",
            explanation="Cet avis révèle le nom et l'adresse d'une salariée : c'est interdit.",
            notifier_name="Hortense Lenoir",
            notifier_email="hortense.lenoir@example.org",
            good_faith_confirmed=True,
        )
    # The brand typed the address with capitals: still hers.
    invitation = invitation_for(
        brand=brand, email="Hortense.Lenoir@example.org", name="Hortense Lenoir", order="CMD-4242"
    )
    invitation_for(
        brand=brand, email="bastien.roux@example.org", name="Bastien Roux", order="CMD-7"
    )
    assert {first.status, second.status} == {Review.Status.PUBLISHED}
    return Member(
        user=user,
        email=user.email,
        pseudonym="Hortensia",
        reviews=[first, second],
        invitation=invitation,
        others_review=others_review,
    )


def rows_containing(needle: str) -> list[str]:
    """Every text or JSON column of every table whose value contains `needle` (any case), as
    "table.column #pk"."""
    needle = needle.lower()
    hits = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list("pk", *fields):
            for name, value in zip(fields, row[1:], strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                if needle in str(text).lower():
                    hits.append(f"{model._meta.db_table}.{name} #{row[0]}")
    return hits
