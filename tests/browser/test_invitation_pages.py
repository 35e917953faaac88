"""Zero axe-core violations on the invitation tool and the in-shop pages, in both languages."""

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from accounts.models import User
from brands.invitations import make_opt_out_token
from brands.models import Brand, Invitation, Place
from tests.brands.invitations_support import days_ago, invite, sent_invitation
from tests.browser.conftest import assert_no_axe_violations, log_in, use_language
from tests.factories import MembershipFactory, PlaceFactory, UserFactory
from tests.reviews.publishing import submit_and_decide

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]


@pytest.fixture(params=["fr", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def shop(brand: Brand) -> Place:
    return PlaceFactory(brand=brand, name="Dupain Bastille", city="Paris")


@pytest.fixture
def owner(brand: Brand, language: str) -> User:
    return MembershipFactory(brand=brand, role="owner", user__language=language).user


def logged_in(context: BrowserContext, live_server: Any, user: User) -> Page:
    log_in(context, live_server.url, user)
    return context.new_page()


def check(page: Page, path: str, language: str) -> None:
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == language
    assert_no_axe_violations(page, f"{path} ({language})")


def test_the_brand_invitation_tool(
    context: BrowserContext, live_server: Any, brand: Brand, shop: Place, owner: User, language: str
) -> None:
    # given: invitations in every state the list shows
    sent_invitation(brand, owner, place=shop.slug, name="Camille")
    invite(brand, owner, order_reference="CMD-2", email="alex@example.org")
    page = logged_in(context, live_server, owner)
    # then
    for path in (
        f"/marques/{brand.slug}/invitations/",
        f"/marques/{brand.slug}/invitations/nouvelle/",
        f"/marques/{brand.slug}/invitations/importer/",
        "/marques/mes-marques/",
    ):
        check(page, path, language)
    # and the form's errors, then an upload's report with refused lines
    page.goto(f"/marques/{brand.slug}/invitations/nouvelle/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert_no_axe_violations(page, f"invitation form errors ({language})")
    page.goto(f"/marques/{brand.slug}/invitations/importer/")
    page.set_input_files(
        "input[name=file]",
        {
            "name": "clients.csv",
            "mimeType": "text/csv",
            "buffer": (
                "email,order_reference,purchase_date\n"
                f"lou@example.org,C-1,{days_ago(1)}\nfaux,C-2,{days_ago(1)}\n"
            ).encode(),
        },
    )
    page.check("input[name=customers_only]")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("table.row-errors").count() == 1
    assert_no_axe_violations(page, f"upload report ({language})")


def test_the_customer_pages_of_an_invitation(
    context: BrowserContext, live_server: Any, brand: Brand, shop: Place, language: str
) -> None:
    # given
    manager = MembershipFactory(brand=brand, role="manager").user
    invitation = sent_invitation(brand, manager, place=shop.slug)
    use_language(context, live_server.url, language)
    page = context.new_page()
    # then: the link before logging in, and the opt-out page before and after
    check(page, f"/avis/invitation/{invitation.token}/", language)
    check(
        page,
        f"/marques/invitations/desinscription/{make_opt_out_token(invitation=invitation)}/",
        language,
    )
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".opt-out-done").count() == 1
    assert_no_axe_violations(page, f"opt-out done ({language})")
    # and a closed invitation's page
    check(page, f"/avis/invitation/{invitation.token}/", language)
    # and, logged in, the form of another invitation
    other = sent_invitation(brand, manager, order_reference="CMD-9", email="zoe@example.org")
    customer = UserFactory(language=language)
    page = logged_in(context, live_server, customer)
    check(page, f"/avis/invitation/{other.token}/", language)
    assert Invitation.objects.get(pk=other.pk).status == "sent"


def test_the_in_shop_pages(
    context: BrowserContext, live_server: Any, brand: Brand, shop: Place, language: str
) -> None:
    # given: a published review of the shop
    moderator = UserFactory(role="moderator", moderation_languages=["fr", "en"])
    submit_and_decide(brand=brand, moderator=moderator, place=shop, rating=5)
    agent = MembershipFactory(brand=brand, role="agent", user__language=language).user
    page = logged_in(context, live_server, agent)
    # then
    check(page, f"/marques/{brand.slug}/{shop.slug}/affiche/", language)
    check(page, f"/avis/ecrire/{brand.slug}/magasin/{shop.slug}/", language)
    visitor = context.browser.new_context(locale="fr-FR", base_url=live_server.url)
    use_language(visitor, live_server.url, language)
    check(visitor.new_page(), f"/marques/{brand.slug}/{shop.slug}/ecran/", language)
    visitor.close()
