"""Rate limits (issue 8) on what can be abused in bulk: review submission, login, reporting and
invitations. Past the limit: a clear 429, and nothing stored."""

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brands.models import Invitation
from reviews.models import Review
from tests.factories import BrandFactory, UserFactory
from tests.reviews.publishing import submit_and_decide
from tests.security.world import nothing_kept


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def days_ago(n: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=n)).isoformat()


@pytest.mark.req("ISO-GEN-1")
def test_review_submission_is_rate_limited(db: None, settings: Any) -> None:
    # Given an account allowed two reviews a day
    settings.REVIEW_RATE_LIMIT_ACCOUNT = (2, datetime.timedelta(days=1))
    client = logged_in(UserFactory())
    brands = iter([BrandFactory() for _ in range(3)])

    def submit() -> Any:
        return post_json(
            client,
            reverse("api-reviews"),
            {
                "brand": next(brands).slug,
                "channel": "in_store",
                "rating": 4,
                "title": "Très bonne boulangerie",
                "text": "Accueil chaleureux, pain encore tiède et croissants croustillants.",
                "language": "fr",
                "experience_date": days_ago(3),
                "attested": True,
            },
        )

    assert [submit().status_code for _ in range(2)] == [201, 201]
    # When it submits a third, Then 429 with the reason, and nothing stored
    with nothing_kept():
        response = submit()
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited_account"
    assert Review.objects.count() == 2


@pytest.mark.req("ISO-GEN-1")
def test_failed_logins_are_rate_limited(db: None) -> None:
    # Given an account, and someone guessing its password (django-allauth's login_failed:
    # 5 failures per 5 minutes per address)
    user = UserFactory(email="camille@example.org")
    client = Client()
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": user.email, "password": "wrong-guess-123"})
        assert response.status_code == 200  # the form again, with its error
    # When it tries again, even with the right password, Then it is refused: no session
    response = client.post(url, {"login": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


@pytest.mark.req("ISO-GEN-1")
def test_logins_from_one_network_are_rate_limited(db: None) -> None:
    # Given 30 login attempts a minute from one address, on any accounts (allauth's "login")
    client = Client()
    url = reverse("account_login")
    for n in range(30):
        client.post(url, {"login": f"guess{n}@example.org", "password": "wrong-guess-123"})
    # When it tries once more, Then 429
    response = client.post(url, {"login": "guess@example.org", "password": "wrong-guess-123"})
    assert response.status_code == 429


@pytest.mark.req("ISO-GEN-1")
def test_reporting_is_rate_limited(db: None, settings: Any) -> None:
    # Given an account allowed one report an hour, and two published reviews
    settings.REPORT_RATE_LIMIT_ACCOUNT = (1, datetime.timedelta(hours=1))
    moderator = UserFactory(role="moderator", moderation_languages=["fr"])
    first, second = (submit_and_decide(brand=BrandFactory(), moderator=moderator) for _ in "12")
    client = logged_in(UserFactory())
    body = {
        "source": "code_of_conduct",
        "rule_code": "no_consumer_experience",
        "explanation": "Cette personne n'est jamais venue dans cette boutique.",
    }
    assert (
        post_json(client, reverse("api-review-reports", args=[first.pk]), body).status_code == 201
    )
    # When it reports the second, on the API and on the page, Then 429 and nothing stored
    with nothing_kept():
        response = post_json(client, reverse("api-review-reports", args=[second.pk]), body)
        assert response.status_code == 429
        form = {f"conduct-{key}": value for key, value in body.items()}
        response = client.post(reverse("reviews:report", args=[second.pk]), form)
        assert response.status_code == 429


@pytest.mark.req("ISO-GEN-1")
def test_invitations_are_rate_limited_per_brand(db: None, settings: Any) -> None:
    # Given a brand allowed three invitations a day, whoever sends them
    from tests.factories import MembershipFactory

    settings.INVITATION_RATE_LIMIT_BRAND = (3, datetime.timedelta(days=1))
    brand = BrandFactory()
    owner = logged_in(MembershipFactory(brand=brand, role="owner").user)
    manager = logged_in(MembershipFactory(brand=brand, role="manager").user)

    def invitation(n: int) -> dict[str, Any]:
        return {
            "email": f"client{n}@example.net",
            "order_reference": f"CMD-{n}",
            "purchase_date": days_ago(2),
            "customers_only": True,
        }

    url = reverse("api-brand-invitations", args=[brand.slug])
    assert post_json(owner, url, invitation(1)).status_code == 201
    assert post_json(manager, url, invitation(2)).status_code == 201
    # When a batch would go past the limit, Then 429 and none of it is stored
    batch = {"customers_only": True, "invitations": [invitation(3), invitation(4)]}
    for key in ("customers_only",):
        batch["invitations"] = [
            {k: v for k, v in i.items() if k != key} for i in batch["invitations"]
        ]
    with nothing_kept():
        response = post_json(owner, url, batch)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited_brand"
    # And the third, then a fourth on the page: the fourth is refused with 429
    assert post_json(manager, url, invitation(3)).status_code == 201
    form = {**invitation(4), "customers_only": "on", "language": ""}
    response = owner.post(reverse("brands:invitation-create", args=[brand.slug]), form)
    assert response.status_code == 429
    assert Invitation.objects.filter(brand=brand).count() == 3
