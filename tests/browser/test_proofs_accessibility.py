"""The page where an author sends a proof of experience: keyboard usable and without axe-core
violations, in both languages, in each of its states (asked, refused file, received)."""

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from moderation.models import ProofRequest
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.factories import BrandFactory, UserFactory
from tests.reviews.proofs import HTML, PDF, fresh_private_storage, request_proof, submit_in_review

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]

SEND = "main form[enctype='multipart/form-data'] button[type=submit]"


@pytest.fixture(params=["fr", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.mark.req("NF-COL-5")
def test_the_proof_page_is_accessible_and_works_with_the_keyboard(
    context: BrowserContext, live_server: Any, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a moderator asked the author of a doubtful review for a proof
    fresh_private_storage(monkeypatch)
    author = UserFactory(pseudonym="Camille", language=language)
    moderator = UserFactory(role="moderator", moderation_languages=["fr"])
    review = submit_in_review(author, BrandFactory(name="Boulangerie Dupain"))
    request_proof(review, moderator)
    log_in(context, live_server.url, author)
    page: Page = context.new_page()
    # when: the page as it is asked
    page.goto(f"/avis/{review.pk}/preuve/")
    # then
    assert page.locator("html").get_attribute("lang") == language
    assert_no_axe_violations(page, f"proof page ({language})")
    # when: a page renamed .pdf is sent, with the keyboard
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": HTML}]
    )
    page.locator("input[type=file]").focus()
    page.keyboard.press("Tab")
    expect(page.locator(SEND)).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # then: refused, and the page says why
    expect(page.locator("[role=alert]")).to_be_visible()
    assert_no_axe_violations(page, f"proof page with an error ({language})")
    # when: the PDF
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with page.expect_navigation():
        page.locator(SEND).click()
    # then
    expect(page.locator(".proof-status")).to_be_visible()
    assert_no_axe_violations(page, f"proof page, document received ({language})")
    assert ProofRequest.objects.get().status == "submitted"
