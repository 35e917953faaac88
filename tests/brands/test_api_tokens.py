"""Brand API tokens (issue 6, integrations): who manages them, and what a token may do."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from brands.integrations import create_api_token, hash_token_secret
from brands.models import BrandApiToken, Invitation, Membership
from reviews.models import ReplyVersion
from tests.brands.invitations_support import ROLES, make_actor
from tests.factories import BrandFactory, MembershipFactory
from tests.reviews.publishing import submit_and_decide

MANAGING = ("owner", "manager")
REPLY_TEXT = (
    "Merci beaucoup pour votre retour, toute l'équipe de la boulangerie est ravie de vous "
    "compter parmi nos clients fidèles. À très bientôt !"
)


def client_for(user=None, key: str | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def make_token(brand, scopes=("read_reviews", "reply", "invite"), role="owner"):
    owner = MembershipFactory(brand=brand, role=role).user
    return create_api_token(brand=brand, actor=owner, name="CRM", scopes=scopes)


# MANAGING TOKENS: roles × endpoints
# ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_managers_create_list_and_revoke_tokens(role, brand):
    # Given a token of the brand and someone in a role
    existing = make_token(brand).token
    actor = make_actor(role, brand)
    client = client_for(actor)
    base = f"/api/v1/brands/{brand.slug}/api-tokens/"

    # When they list, create and revoke
    listed = client.get(base)
    created = client.post(base, {"name": "ERP", "scopes": ["reply"]}, format="json")
    revoked = client.post(f"{base}{existing.pk}/revoke/")

    # Then only owners and managers may
    existing.refresh_from_db()
    if role in MANAGING:
        assert (listed.status_code, created.status_code, revoked.status_code) == (200, 201, 200)
        assert [t["name"] for t in listed.json()] == ["CRM"]
        assert existing.revoked_at is not None
    else:
        assert (listed.status_code, created.status_code, revoked.status_code) == (403, 403, 403)
        assert BrandApiToken.objects.count() == 1
        assert existing.revoked_at is None


@pytest.mark.django_db
def test_a_created_token_is_shown_once_and_only_its_hash_is_stored(brand, brand_owner):
    # When the owner creates a token
    response = client_for(brand_owner).post(
        f"/api/v1/brands/{brand.slug}/api-tokens/",
        {"name": "  Mon   CRM ", "scopes": ["reply", "read_reviews", "reply"]},
        format="json",
    )

    # Then the key is in the response, in the documented form, and nowhere in the database
    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    prefix, secret = key.split("_", 2)[1:]
    assert key.startswith("voix_")
    assert body["prefix"] == prefix
    assert body["name"] == "Mon CRM"
    assert body["scopes"] == ["read_reviews", "reply"]
    token = BrandApiToken.objects.get()
    assert token.secret_hash == hash_token_secret(secret) != secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM brands_brandapitoken")
        assert not any(secret in str(value) for value in cursor.fetchone())
    # ...the list never shows it again
    listed = client_for(brand_owner).get(f"/api/v1/brands/{brand.slug}/api-tokens/").json()
    assert "key" not in listed[0]
    assert secret not in str(listed)
    # ...and the creation is audited, without the secret
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_CREATED)
    assert (event.actor_id, event.object_id) == (brand_owner.pk, str(token.pk))
    assert event.details == {"brand_id": brand.pk, "prefix": prefix, "scopes": token.scopes}
    assert secret not in str(event.details)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "", "scopes": ["reply"]}, "name"),
        ({"name": "CRM", "scopes": []}, "scopes"),
        ({"name": "CRM", "scopes": ["delete_everything"]}, "scopes"),
    ],
)
def test_a_token_needs_a_name_and_known_scopes(brand, brand_owner, payload, field):
    response = client_for(brand_owner).post(
        f"/api/v1/brands/{brand.slug}/api-tokens/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert BrandApiToken.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_CREATED).exists()


@pytest.mark.django_db
def test_revoking_is_audited_once(brand, brand_owner):
    token = create_api_token(brand=brand, actor=brand_owner, name="CRM", scopes=["reply"]).token
    client = client_for(brand_owner)
    url = f"/api/v1/brands/{brand.slug}/api-tokens/{token.pk}/revoke/"

    first, second = client.post(url), client.post(url)

    assert (first.status_code, second.status_code) == (200, 200)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED)
    assert [(e.actor_id, e.object_id) for e in events] == [(brand_owner.pk, str(token.pk))]


@pytest.mark.django_db
def test_a_token_of_another_brand_cannot_be_revoked_from_this_one(brand, brand_owner):
    other = make_token(BrandFactory()).token
    response = client_for(brand_owner).post(
        f"/api/v1/brands/{brand.slug}/api-tokens/{other.pk}/revoke/"
    )
    other.refresh_from_db()
    assert response.status_code == 404
    assert other.revoked_at is None


@pytest.mark.django_db
def test_a_token_cannot_manage_tokens(brand):
    key = make_token(brand).key
    response = client_for(key=key).post(
        f"/api/v1/brands/{brand.slug}/api-tokens/", {"name": "x", "scopes": ["reply"]}
    )
    assert response.status_code == 403
    assert BrandApiToken.objects.count() == 1


# USING A TOKEN
# ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_token_reads_its_brand_reviews_and_notes_its_use(brand, moderator):
    review = submit_and_decide(brand=brand, moderator=moderator)
    created = make_token(brand, scopes=["read_reviews"])

    response = client_for(key=created.key).get(f"/api/v1/brands/{brand.slug}/reviews/")

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [review.pk]
    created.token.refresh_from_db()
    assert created.token.last_used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key",
    ["voix_nothing_here", "voix_abc", "not-a-key", "voix_{prefix}_wrong-secret"],
)
def test_an_unknown_or_malformed_key_gets_a_401(brand, key):
    token = make_token(brand).token
    response = client_for(key=key.format(prefix=token.prefix)).get(
        f"/api/v1/brands/{brand.slug}/reviews/"
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
def test_a_revoked_token_gets_a_401(brand, brand_owner):
    created = create_api_token(brand=brand, actor=brand_owner, name="CRM", scopes=["read_reviews"])
    client_for(brand_owner).post(
        f"/api/v1/brands/{brand.slug}/api-tokens/{created.token.pk}/revoke/"
    )
    response = client_for(key=created.key).get(f"/api/v1/brands/{brand.slug}/reviews/")
    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["left", "demoted"])
def test_a_token_ends_when_its_creator_may_no_longer_grant_it(brand, change):
    created = make_token(brand, scopes=["read_reviews"])
    membership = Membership.objects.get(brand=brand, user=created.token.created_by)
    if change == "left":
        membership.delete()
    else:
        membership.role = Membership.Role.AGENT
        membership.save()
    response = client_for(key=created.key).get(f"/api/v1/brands/{brand.slug}/reviews/")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_token_of_another_brand_gets_a_403(brand, moderator):
    review = submit_and_decide(brand=brand, moderator=moderator)
    key = make_token(BrandFactory()).key
    client = client_for(key=key)

    reads = client.get(f"/api/v1/brands/{brand.slug}/reviews/")
    replies = client.post(f"/api/v1/reviews/{review.pk}/reply/", {"text": REPLY_TEXT})
    invites = client.get(f"/api/v1/brands/{brand.slug}/invitations/")

    assert (reads.status_code, replies.status_code, invites.status_code) == (403, 403, 403)
    assert reads.json()["code"] == "token_brand"
    assert not ReplyVersion.objects.exists()


@pytest.mark.django_db
def test_a_token_without_the_scope_gets_a_403(brand, moderator):
    review = submit_and_decide(brand=brand, moderator=moderator)
    key = make_token(brand, scopes=["read_reviews"]).key
    client = client_for(key=key)

    replies = client.post(f"/api/v1/reviews/{review.pk}/reply/", {"text": REPLY_TEXT})
    invites = client.get(f"/api/v1/brands/{brand.slug}/invitations/")
    reader = make_token(brand, scopes=["reply"]).key
    reads = client_for(key=reader).get(f"/api/v1/brands/{brand.slug}/reviews/")

    assert (replies.status_code, invites.status_code, reads.status_code) == (403, 403, 403)
    assert {replies.json()["code"], invites.json()["code"], reads.json()["code"]} == {"token_scope"}
    assert not ReplyVersion.objects.exists()


@pytest.mark.django_db
def test_a_reply_by_token_is_written_by_the_token_creator(
    brand, moderator, django_capture_on_commit_callbacks
):
    review = submit_and_decide(brand=brand, moderator=moderator)
    created = make_token(brand, scopes=["reply"], role="manager")
    client = client_for(key=created.key)

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(f"/api/v1/reviews/{review.pk}/reply/", {"text": REPLY_TEXT})

    assert posted.status_code == 201
    version = ReplyVersion.objects.get()
    assert version.author_id == created.token.created_by_id
    assert posted.json()["review_id"] == review.pk


@pytest.mark.django_db
def test_a_token_invites_and_lists_invitations(brand):
    created = make_token(brand, scopes=["invite"])
    client = client_for(key=created.key)
    url = f"/api/v1/brands/{brand.slug}/invitations/"

    posted = client.post(
        url,
        {
            "email": "client@example.net",
            "order_reference": "CMD-1",
            "purchase_date": str(timezone.localdate() - datetime.timedelta(days=1)),
            "customers_only": True,
        },
        format="json",
    )
    listed = client.get(url)
    cancelled = client.post(f"{url}{posted.json()['id']}/cancel/")

    assert (posted.status_code, listed.status_code, cancelled.status_code) == (201, 200, 200)
    invitation = Invitation.objects.get()
    assert invitation.created_by_id == created.token.created_by_id
    assert invitation.status == Invitation.Status.CANCELLED
    assert [i["order_reference"] for i in listed.json()["results"]] == ["CMD-1"]


@pytest.mark.django_db
def test_a_bearer_header_authenticates_nothing_on_other_endpoints(brand):
    key = make_token(brand).key
    response = client_for(key=key).get("/api/v1/me/")
    assert response.status_code in (401, 403)
