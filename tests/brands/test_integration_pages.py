"""A brand's integrations page (issue 6): tokens and webhooks managed in the browser by owners
and managers, through the services of brands.integrations and brands.webhooks."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from brands.integrations import create_api_token
from brands.models import Brand, BrandApiToken, WebhookEndpoint
from brands.webhooks import create_webhook_endpoint, emit_brand_event
from tests.brands.invitations_support import ROLES, make_actor

MANAGING = ("owner", "manager")
FORBIDDEN = tuple(r for r in ROLES if r not in MANAGING and r != "anonymous")


def client_for(role: str, brand: Brand) -> Client:
    client = Client(enforce_csrf_checks=False)
    actor = make_actor(role, brand)
    if actor is not None:
        client.force_login(actor)
    return client


def page_url(brand: Brand) -> str:
    return reverse("brands:integrations", args=[brand.slug])


def token_of(brand: Brand, **kw: Any) -> BrandApiToken:
    owner = make_actor("owner", brand)
    assert owner is not None
    return create_api_token(
        brand=brand, actor=owner, name=kw.get("name", "Site"), scopes=["read_reviews"]
    ).token


def endpoint_of(brand: Brand) -> WebhookEndpoint:
    owner = make_actor("owner", brand)
    assert owner is not None
    return create_webhook_endpoint(
        brand=brand, actor=owner, url="https://hooks.example.com/voix", events=["review.published"]
    )


def requests(brand: Brand) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, data) of every request of the page, on rows that exist."""
    token = token_of(brand)
    endpoint = endpoint_of(brand)
    return [
        ("get", page_url(brand), {}),
        (
            "post",
            reverse("brands:integration-token-create", args=[brand.slug]),
            {"name": "CRM", "scopes": ["reply"]},
        ),
        ("post", reverse("brands:integration-token-revoke", args=[brand.slug, token.pk]), {}),
        (
            "post",
            reverse("brands:integration-webhook-create", args=[brand.slug]),
            {"url": "https://crm.example.com/hook", "events": ["reply.published"]},
        ),
        (
            "post",
            reverse("brands:integration-webhook-disable", args=[brand.slug, endpoint.pk]),
            {},
        ),
    ]


# PERMISSIONS
# ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", MANAGING)
def test_owners_and_managers_use_every_request(brand, role):
    # given: a token and a webhook of the brand
    calls = requests(brand)
    client = client_for(role, brand)
    # when / then: the page shows, creations answer the page, actions redirect to it
    statuses = [getattr(client, method)(url, data).status_code for method, url, data in calls]
    assert statuses == [200, 200, 302, 200, 302]
    assert BrandApiToken.objects.filter(brand=brand, revoked_at__isnull=True).count() == 1
    assert list(
        WebhookEndpoint.objects.filter(brand=brand).values_list("url", "active").order_by("pk")
    ) == [("https://hooks.example.com/voix", False), ("https://crm.example.com/hook", True)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", FORBIDDEN)
def test_other_roles_are_refused_and_nothing_changes(brand, role):
    # given: a token and a webhook of the brand
    calls = requests(brand)
    events = AuditEvent.objects.count()
    client = client_for(role, brand)
    # when
    statuses = [getattr(client, method)(url, data).status_code for method, url, data in calls]
    # then
    assert statuses == [403] * 5
    assert BrandApiToken.objects.filter(brand=brand, revoked_at__isnull=True).count() == 1
    assert list(WebhookEndpoint.objects.filter(brand=brand).values_list("active", flat=True)) == [
        True
    ]
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(brand):
    calls = requests(brand)
    client = Client()
    for method, url, data in calls:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert BrandApiToken.objects.filter(brand=brand, revoked_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_an_unknown_brand_is_404(brand):
    client = client_for("owner", brand)
    assert client.get(reverse("brands:integrations", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_forms_are_csrf_protected(brand):
    # given: a client that checks CSRF like a browser, without the page's token
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_actor("owner", brand))
    # when
    response = client.post(
        reverse("brands:integration-token-create", args=[brand.slug]),
        {"name": "CRM", "scopes": ["reply"]},
    )
    # then
    assert response.status_code == 403
    assert not BrandApiToken.objects.filter(brand=brand).exists()


@pytest.mark.django_db
def test_the_page_links_from_my_brands_for_managers_only(brand):
    owner, agent = client_for("owner", brand), client_for("agent", brand)
    url = page_url(brand)
    assert url in owner.get(reverse("brands:mine")).content.decode()
    assert url not in agent.get(reverse("brands:mine")).content.decode()


# TOKENS
# ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_token_key_is_shown_once(brand):
    # given
    client = client_for("owner", brand)
    # when
    response = client.post(
        reverse("brands:integration-token-create", args=[brand.slug]),
        {"name": "Site web", "scopes": ["read_reviews", "invite"]},
    )
    # then: the key is in the answer, and it is the token's
    token = BrandApiToken.objects.get(brand=brand)
    key = response.context["new_key"]
    assert key.startswith(f"voix_{token.prefix}_")
    html = response.content.decode()
    assert key in html
    assert 'class="message warning new-secret"' in html
    assert (token.name, token.scopes) == ("Site web", ["invite", "read_reviews"])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_CREATED).count() == 1
    # and reloading the page lists the token without its key
    again = client.get(page_url(brand)).content.decode()
    assert key not in again
    assert key.rsplit("_", 1)[1] not in again
    assert f"voix_{token.prefix}_…" in again
    assert "new-secret" not in again


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "", "scopes": ["reply"]}, "name"), ({"name": "CRM"}, "scopes")],
)
def test_a_token_without_name_or_scope_is_refused(brand, data, field):
    client = client_for("owner", brand)
    response = client.post(reverse("brands:integration-token-create", args=[brand.slug]), data)
    assert response.status_code == 400
    assert list(response.context["token_form"].errors) == [field]
    assert "new_key" not in response.context
    assert not BrandApiToken.objects.filter(brand=brand).exists()


@pytest.mark.django_db
def test_revoking_a_token(brand):
    # given
    token = token_of(brand, name="Caisse")
    client = client_for("manager", brand)
    # when
    response = client.post(
        reverse("brands:integration-token-revoke", args=[brand.slug, token.pk]), follow=True
    )
    # then
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count() == 1
    assert response.context["active_tokens"] == []
    assert response.context["revoked_tokens"] == [token]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


@pytest.mark.django_db
def test_another_brand_token_cannot_be_revoked_from_this_page(brand):
    # given: the manager of this brand, a token of another brand
    from tests.factories import BrandFactory

    other_token = token_of(BrandFactory())
    client = client_for("owner", brand)
    # when
    response = client.post(
        reverse("brands:integration-token-revoke", args=[brand.slug, other_token.pk]), follow=True
    )
    # then
    other_token.refresh_from_db()
    assert other_token.revoked_at is None
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


# WEBHOOKS
# ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_webhook_secret_is_shown_once(brand):
    client = client_for("owner", brand)
    response = client.post(
        reverse("brands:integration-webhook-create", args=[brand.slug]),
        {"url": "https://crm.example.com/hook", "events": ["review.published", "review.removed"]},
    )
    endpoint = WebhookEndpoint.objects.get(brand=brand)
    assert endpoint.events == ["review.published", "review.removed"]
    assert endpoint.secret in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.WEBHOOK_ENDPOINT_CREATED).count() == 1
    again = client.get(page_url(brand)).content.decode()
    assert endpoint.secret not in again
    assert "https://crm.example.com/hook" in again


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["http://crm.example.com/hook", "https://127.0.0.1/hook", "not a url", ""]
)
def test_a_webhook_with_a_bad_address_shows_the_error_and_stores_nothing(brand, url):
    client = client_for("owner", brand)
    response = client.post(
        reverse("brands:integration-webhook-create", args=[brand.slug]),
        {"url": url, "events": ["review.published"]},
    )
    assert response.status_code == 400
    assert list(response.context["webhook_form"].errors) == ["url"]
    assert "new_secret" not in response.context
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.WEBHOOK_ENDPOINT_CREATED).exists()


@pytest.mark.django_db
def test_a_webhook_without_events_is_refused(brand):
    client = client_for("owner", brand)
    response = client.post(
        reverse("brands:integration-webhook-create", args=[brand.slug]),
        {"url": "https://crm.example.com/hook"},
    )
    assert response.status_code == 400
    assert list(response.context["webhook_form"].errors) == ["events"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_disabling_a_webhook(brand):
    endpoint = endpoint_of(brand)
    client = client_for("owner", brand)
    response = client.post(
        reverse("brands:integration-webhook-disable", args=[brand.slug, endpoint.pk]), follow=True
    )
    endpoint.refresh_from_db()
    assert endpoint.active is False
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.WEBHOOK_ENDPOINT_DISABLED).count() == 1
    )
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


@pytest.mark.django_db
def test_the_log_lists_the_brand_deliveries(brand, django_assert_max_num_queries):
    # given: two deliveries to this brand's webhook, one to another brand's
    from tests.factories import BrandFactory

    endpoint = endpoint_of(brand)
    other = BrandFactory()
    endpoint_of(other)
    for n in (1, 2):
        emit_brand_event(
            brand_id=brand.pk, event="review.published", object_key=f"review:{n}:1", payload={}
        )
    emit_brand_event(
        brand_id=other.pk, event="review.published", object_key="review:9:1", payload={}
    )
    client = client_for("owner", brand)
    # when
    response = client.get(page_url(brand))
    # then: the brand's two, newest first
    deliveries = response.context["deliveries"]
    assert [(d.idempotency_key, d.endpoint_id, d.status, d.attempts) for d in deliveries] == [
        ("review.published:review:2:1", endpoint.pk, "pending", 0),
        ("review.published:review:1:1", endpoint.pk, "pending", 0),
    ]
    html = response.content.decode()
    assert html.count('<tr class="delivery">') == 2
