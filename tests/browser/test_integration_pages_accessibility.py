"""Zero axe-core violations on a brand's integrations page: empty, filled, with a new key shown
once, and with a form error, in both languages."""

from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from brands.integrations import create_api_token, revoke_api_token
from brands.models import Brand
from brands.webhooks import create_webhook_endpoint, emit_brand_event
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]


@pytest.fixture(params=["fr", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


def test_the_integrations_page(
    context: BrowserContext, live_server: Any, brand: Brand, language: str
) -> None:
    # given: an owner, on the empty page
    owner = MembershipFactory(brand=brand, role="owner", user__language=language).user
    log_in(context, live_server.url, owner)
    page = context.new_page()
    path = f"/marques/{brand.slug}/integrations/"
    page.goto(path)
    assert_no_axe_violations(page, f"{path}, empty ({language})")
    # when: a token is created through the form, its key shown once
    page.fill("#id_name", "Site web")
    page.check("input[name=scopes][value=read_reviews]")
    page.locator("form", has=page.locator("#id_name")).locator("button[type=submit]").click()
    assert page.locator("#new-token-key").count() == 1
    assert_no_axe_violations(page, f"{path}, new key ({language})")
    # and a bad webhook address shows its error
    page.fill("#id_url", "http://example.com/hook")
    page.check("input[name=events][value='review.published']")
    page.locator("form", has=page.locator("#id_url")).locator("button[type=submit]").click()
    assert page.locator(".has-error").count() == 1
    assert_no_axe_violations(page, f"{path}, webhook error ({language})")
    # then: the page filled with tokens (active and revoked), webhooks and deliveries
    old = create_api_token(brand=brand, actor=owner, name="Caisse", scopes=["reply"]).token
    revoke_api_token(brand=brand, token_id=old.pk, actor=owner)
    create_webhook_endpoint(
        brand=brand, actor=owner, url="https://hooks.example.com/voix", events=["review.published"]
    )
    emit_brand_event(
        brand_id=brand.pk, event="review.published", object_key="review:1:1", payload={}
    )
    page.goto(path)
    assert page.locator("tr.delivery").count() == 1
    assert page.locator("tr.revoked-token").count() == 1
    assert_no_axe_violations(page, f"{path}, filled ({language})")
