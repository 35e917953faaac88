"""The statement of reasons, the appeal forms and "My reviews": without axe-core violations, in
both languages and in each state, and the appeal sent with the keyboard alone."""

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from moderation.models import Appeal
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.factories import BrandFactory, UserFactory
from tests.moderation.restrictions import dismissed_notice, rejected_by_pipeline

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]

SEND = "main form button[type=submit]"


@pytest.fixture(params=["fr", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.mark.req("DSA-9", "DSA-17")
def test_the_author_reads_the_statement_and_appeals_with_the_keyboard(
    context: BrowserContext, live_server: Any, language: str
) -> None:
    # given: a review the checks refused
    author = UserFactory(pseudonym="Camille", language=language)
    review = rejected_by_pipeline(author=author, brand=BrandFactory(name="Boulangerie Dupain"))
    log_in(context, live_server.url, author)
    page: Page = context.new_page()
    # when / then: "My reviews", the statement, the form
    for path, label in [
        ("/avis/mes-avis/", "my reviews with a restriction"),
        (f"/avis/{review.pk}/decision/", "statement of reasons"),
        (f"/avis/{review.pk}/contester/", "appeal form"),
    ]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert_no_axe_violations(page, f"{label} ({language})")
    # when: sent empty, with the keyboard
    page.locator("textarea").focus()
    page.keyboard.press("Tab")
    expect(page.locator(SEND)).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # then: refused, and the page says why
    expect(page.locator("[role=alert]")).to_be_visible()
    assert_no_axe_violations(page, f"appeal form with an error ({language})")
    # when: explained, and sent
    page.locator("textarea").fill("Mon avis décrit fidèlement ce que j'ai vécu ce jour-là.")
    page.locator("textarea").focus()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # then: back on the statement, which says the appeal is being examined
    assert page.url.endswith(f"/avis/{review.pk}/decision/")
    assert_no_axe_violations(page, f"statement under appeal ({language})")
    assert Appeal.objects.get().decision_id == review.decision_id


@pytest.mark.req("DSA-17")
def test_the_reporters_appeal_form_is_accessible(
    context: BrowserContext, live_server: Any, language: str
) -> None:
    reporter = UserFactory(pseudonym="Sam", language=language)
    moderator = UserFactory(role="moderator", moderation_languages=["fr", "en"])
    report = dismissed_notice(
        author=UserFactory(),
        brand=BrandFactory(name="Boulangerie Dupain"),
        reporter=reporter,
        moderator=moderator,
    )
    log_in(context, live_server.url, reporter)
    page: Page = context.new_page()
    page.goto(f"/avis/signalements/{report.pk}/contester/")
    expect(page.locator("textarea")).to_be_visible()
    assert_no_axe_violations(page, f"reporter's appeal form ({language})")
