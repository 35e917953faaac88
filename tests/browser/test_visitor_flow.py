"""A visitor's way through the public pages in a real browser, with the form controls a person
uses, and zero axe-core violations at every step (issue 5)."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from accounts.models import User
from brands.models import Brand
from reviews.models import Review
from tests.browser.conftest import assert_no_axe_violations, log_in, use_language
from tests.factories import BrandFactory, PlaceFactory, UserFactory
from tests.reviews.publishing import submit_and_decide

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]

HASH = re.compile(r"^[0-9a-f]{64}$")
# What the page says of the active order, and of the rating, in each language.
TEXTS = {
    "fr": {
        "recent": "Tri : les plus récents",
        "lowest": "Tri : note la plus basse",
        "before": "3,3/5 – 3 avis",
        "after": "4,5/5 – 2 avis",
    },
    "en": {
        "recent": "Sorted by: most recent",
        "lowest": "Sorted by: lowest rating",
        "before": "3.3/5 – 3 reviews",
        "after": "4.5/5 – 2 reviews",
    },
}


@pytest.fixture
def reviewed_brands(brand: Brand, moderator: User) -> dict[str, Review]:
    """Three brands with published reviews; the bakery's four, oldest first: 4★ in store, 2★ on
    the website, 5★ in store, 1★ in store."""
    PlaceFactory(brand=brand, name="Dupain Bastille", city="Paris")
    reviews = {
        name: submit_and_decide(brand=brand, moderator=moderator, rating=rating, channel=channel)
        for name, rating, channel in [
            ("four", 4, "in_store"),
            ("two", 2, "website"),
            ("five", 5, "in_store"),
            ("one", 1, "in_store"),
        ]
    }
    for name, rating in [("Fromagerie Alpha", 4), ("Caviste Gamma", 3)]:
        submit_and_decide(brand=BrandFactory(name=name), moderator=moderator, rating=rating)
    assert {review.status for review in reviews.values()} == {Review.Status.PUBLISHED}
    return reviews


def card_ids(page: Page) -> list[int]:
    cards = page.locator("main article.review-card")
    return [
        int(str(cards.nth(i).get_attribute("id")).removeprefix("review-"))
        for i in range(cards.count())
    ]


def navigate(page: Page, action: Any) -> None:
    """Do what a person does to leave the page (a click, a key) and wait for the next one."""
    with page.expect_navigation():
        action()


def submit_with_keyboard(page: Page, form: Locator) -> None:
    form.locator("button[type=submit]").focus()
    navigate(page, lambda: page.keyboard.press("Enter"))


@pytest.mark.req("FR-8", "NF-RES-1", "FR-7", "EU-4", "ISO-PUB-2", "NF-RES-2")
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_visitor_finds_a_brand_sorts_and_filters_its_reviews_and_checks_them(
    context: BrowserContext,
    live_server: Any,
    brand: Brand,
    reviewed_brands: dict[str, Review],
    language: str,
) -> None:
    use_language(context, live_server.url, language)
    page = context.new_page()
    ids = {name: review.pk for name, review in reviewed_brands.items()}

    # the home page lists the brands
    page.goto("/")
    expect(page.locator("main .brand-list li")).to_have_count(3)
    assert_no_axe_violations(page, f"home ({language})")

    # the visitor goes to the brand search and looks for the bakery by name, with the keyboard
    navigate(page, lambda: page.locator("main a[href='/marques/']").click())
    expect(page.locator("main .brand-results li")).to_have_count(3)
    page.locator("#id_q").fill("dupain")
    navigate(page, lambda: page.locator("#id_q").press("Enter"))
    results = page.locator("main .brand-results li")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Boulangerie Dupain")
    assert_no_axe_violations(page, f"brand search for a name ({language})")

    # the brand page: newest first, the order labelled, both dates near each review
    navigate(page, lambda: results.get_by_role("link", name="Boulangerie Dupain").click())
    assert page.url.endswith(f"/marques/{brand.slug}/")
    expect(page.locator("main .sort-label strong")).to_have_text(TEXTS[language]["recent"])
    assert card_ids(page) == [ids["one"], ids["five"], ids["two"], ids["four"]]
    for card in page.locator("main article.review-card").all():
        expect(card.locator("time")).to_have_count(2)
    expect(page.locator("main .brand-transparency .transparency-received")).to_have_text("4")
    assert_no_axe_violations(page, f"brand page ({language})")

    # lowest rating first, chosen in the form and sent with the keyboard
    filters = page.locator("main form.filters")
    page.locator("#id_sort").select_option("lowest")
    submit_with_keyboard(page, filters)
    expect(page.locator("main .sort-label strong")).to_have_text(TEXTS[language]["lowest"])
    expect(page.locator("#id_sort")).to_have_value("lowest")
    assert card_ids(page) == [ids["one"], ids["two"], ids["four"], ids["five"]]
    assert_no_axe_violations(page, f"brand page, lowest first ({language})")

    # then only the reviews of experiences in store, with a click; the order is kept
    page.locator("#id_channel").select_option("in_store")
    navigate(page, lambda: filters.locator("button[type=submit]").click())
    expect(page.locator("#id_sort")).to_have_value("lowest")
    expect(page.locator("#id_channel")).to_have_value("in_store")
    expect(page.locator("main .sort-label strong")).to_have_text(TEXTS[language]["lowest"])
    assert card_ids(page) == [ids["one"], ids["four"], ids["five"]]
    assert_no_axe_violations(page, f"brand page, in store, lowest first ({language})")

    # the history of the first review, from the link on its card: its timeline, with hashes
    first = page.locator(f"main #review-{ids['one']}")
    navigate(page, lambda: first.locator("a[href$='/historique/']").click())
    assert page.url.endswith(f"/avis/{ids['one']}/historique/")
    entries = page.locator("main .timeline-entry")
    expect(entries.first).to_have_class(re.compile(r"\bentry-submitted\b"))
    expect(entries.last).to_have_class(re.compile(r"\bentry-published\b"))
    hashes = page.locator("main .timeline-entry code.hash").all_text_contents()
    assert len(hashes) == entries.count() >= 3
    assert all(HASH.match(value) for value in hashes)
    assert len(set(hashes)) == len(hashes)
    assert_no_axe_violations(page, f"review history ({language})")

    # back on the brand page, its transparency figures lead to the report for this brand
    navigate(page, page.go_back)
    link = page.locator("main .brand-transparency .transparency-link a")
    navigate(page, link.click)
    assert f"brand_id={brand.pk}" in page.url
    expect(page.locator("#figure-received")).to_have_text("4")
    expect(page.locator("main .report-brand")).to_contain_text("Boulangerie Dupain")
    assert_no_axe_violations(page, f"transparency report of the brand ({language})")

    # and the footer link opens the report of every brand
    navigate(page, lambda: page.locator("footer a[href='/transparence/']").click())
    expect(page.locator("#figure-received")).to_have_text("6")
    expect(page.locator("main svg[role=img]")).to_have_count(3)
    assert_no_axe_violations(page, f"transparency report ({language})")


@pytest.mark.req("NF-MOD-6", "ISO-MOD-5")
def test_a_withdrawn_review_leaves_the_brand_page_and_its_rating_at_once(
    browser: Browser, context: BrowserContext, live_server: Any, brand: Brand, moderator: User
) -> None:
    # given: three published reviews (5, 4 and 1 star), the last one by a logged-in author
    author = UserFactory(pseudonym="Camille", language="fr")
    for rating in (5, 4):
        submit_and_decide(brand=brand, moderator=moderator, rating=rating)
    gone = submit_and_decide(brand=brand, moderator=moderator, author=author, rating=1)
    log_in(context, live_server.url, author)
    page = context.new_page()
    page.goto(f"/marques/{brand.slug}/")
    expect(page.locator("main .rating-summary")).to_have_text(TEXTS["fr"]["before"])
    expect(page.locator(f"main #review-{gone.pk}")).to_have_count(1)

    # when the author withdraws it from their reviews
    page.goto("/avis/mes-avis/")
    withdraw = page.locator(f"main form[action='/avis/{gone.pk}/retirer/'] button[type=submit]")
    navigate(page, withdraw.click)
    expect(page.locator("main form[action$='/retirer/']")).to_have_count(0)
    assert_no_axe_violations(page, "my reviews after a withdrawal")

    # then the brand page no longer shows it, nor counts it
    page.goto(f"/marques/{brand.slug}/")
    expect(page.locator(f"main #review-{gone.pk}")).to_have_count(0)
    expect(page.locator("main article.review-card")).to_have_count(2)
    expect(page.locator("main .rating-summary")).to_have_text(TEXTS["fr"]["after"])
    expect(page.locator("main .rating-bars li").last.locator(".bar-count")).to_have_text(
        "0 avis (0 %)"
    )
    assert_no_axe_violations(page, "brand page after a withdrawal")

    # and a visitor without an account sees the same at once
    anonymous = browser.new_context(locale="fr-FR", base_url=live_server.url)
    try:
        other = anonymous.new_page()
        other.goto(f"/marques/{brand.slug}/")
        expect(other.locator("main .rating-summary")).to_have_text(TEXTS["fr"]["after"])
        expect(other.locator(f"main #review-{gone.pk}")).to_have_count(0)
    finally:
        anonymous.close()
