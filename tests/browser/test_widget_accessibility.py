"""Zero axe-core violations on the embeddable widget and on the page giving its code."""

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import BrowserContext

from brands.models import Brand
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.publishing import submit_and_decide

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]


@pytest.fixture(params=["fr", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


def test_the_widget_and_its_snippet(
    context: BrowserContext, live_server: Any, brand: Brand, language: str
) -> None:
    # given: published reviews, one of them long enough to be cut
    cache.clear()
    moderator = UserFactory(role="moderator", moderation_languages=["fr", "en"])
    for rating in (5, 3, 4):
        submit_and_decide(brand=brand, moderator=moderator, rating=rating)
    submit_and_decide(brand=brand, moderator=moderator, rating=4, text="Très bon accueil. " * 20)
    page = context.new_page()
    # then: the widget itself, in the language asked for
    page.goto(f"/widget/{brand.slug}/?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".widget-review").count() == 3
    assert_no_axe_violations(page, f"widget ({language})")
    # and the members' page with the code to copy
    owner = MembershipFactory(brand=brand, role="owner", user__language=language).user
    log_in(context, live_server.url, owner)
    path = f"/avis/marque/{brand.slug}/"
    page.goto(path)
    assert page.locator("#widget-snippet-code").count() == 1
    assert_no_axe_violations(page, f"{path} ({language})")
