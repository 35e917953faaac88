"""The brand's figures page: without axe-core violations, in both languages, with figures and
with a refused period."""

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.factories import BrandFactory, MembershipFactory, PlaceFactory, UserFactory
from tests.reviews.publishing import submit_and_decide
from tests.reviews.replying import reply

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]


@pytest.fixture(params=["fr", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


def test_the_figures_page_is_accessible(
    context: BrowserContext, live_server: Any, language: str
) -> None:
    # given: a brand with reviews in two places, one with a reply, one invited
    brand = BrandFactory(name="Boulangerie Dupain", slug="dupain")
    owner = MembershipFactory(brand=brand, role="owner", user__language=language).user
    moderator = UserFactory(role="moderator", moderation_languages=["fr", "en"])
    places = [PlaceFactory(brand=brand, name=name) for name in ("Bastille", "Nation")]
    first = submit_and_decide(brand=brand, moderator=moderator, rating=5, place=places[0])
    submit_and_decide(brand=brand, moderator=moderator, rating=2, place=places[1])
    submit_and_decide(
        brand=brand, moderator=moderator, rating=4, recommend_score=9, verification="invitation"
    )
    reply(first, owner)
    log_in(context, live_server.url, owner)
    page: Page = context.new_page()
    # when
    page.goto("/avis/marque/dupain/tableau-de-bord/")
    # then
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator("svg.chart").first).to_be_visible()
    assert_no_axe_violations(page, f"brand figures ({language})")
    # when: a period that ends before it starts
    page.goto("/avis/marque/dupain/tableau-de-bord/?start=2026-03&end=2026-01")
    # then
    expect(page.locator("[role=alert]").first).to_be_visible()
    assert_no_axe_violations(page, f"brand figures, refused period ({language})")
