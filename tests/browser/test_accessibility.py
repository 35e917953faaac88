"""Zero axe-core violations (WCAG 2.1 A/AA and best practices) on every page, in both languages."""

from typing import Any

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from brands.models import Brand, DomainClaim, Membership
from brands.services import make_claim_token
from tests.browser.conftest import assert_no_axe_violations, log_in, use_language
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]

LANGUAGES = ["fr", "en"]


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def visitor(context: BrowserContext, live_server: Any, language: str) -> Page:
    """An anonymous visitor's page, in the language under test."""
    use_language(context, live_server.url, language)
    return context.new_page()


@pytest.fixture
def member(db: None, language: str) -> User:
    """A verified account whose interface language is the one under test."""
    return UserFactory(pseudonym="Camille", language=language)


@pytest.fixture
def member_page(context: BrowserContext, live_server: Any, member: User) -> Page:
    log_in(context, live_server.url, member)
    return context.new_page()


def open_page(page: Page, path: str, language: str) -> None:
    page.goto(path)
    assert_page_language(page, language)


def assert_page_language(page: Page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language


def submit_form(page: Page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").click()


# Anonymous pages


def test_home(visitor: Page, brand: Brand, language: str) -> None:
    # given a brand / when an anonymous visitor opens the home page
    open_page(visitor, "/", language)
    # then the brand is listed, accessibly
    expect(visitor.locator("main .brand-list li")).to_have_count(1)
    assert_no_axe_violations(visitor, f"home ({language})")


def test_login(visitor: Page, language: str) -> None:
    open_page(visitor, "/compte/login/", language)
    assert_no_axe_violations(visitor, f"login ({language})")


def test_signup(visitor: Page, language: str) -> None:
    open_page(visitor, "/compte/signup/", language)
    assert_no_axe_violations(visitor, f"signup ({language})")


def test_signup_with_errors(visitor: Page, language: str) -> None:
    # given the sign-up form, filled in so that the browser sends it but the server refuses it
    open_page(visitor, "/compte/signup/", language)
    visitor.fill("#id_email", "camille@example.org")
    visitor.fill("#id_password1", "court")
    visitor.fill("#id_password2", "different")
    visitor.fill("#id_pseudonym", "camille@example.org")
    # when it is sent
    submit_form(visitor, "form[action='/compte/signup/']")
    # then the errors are shown, accessibly
    assert visitor.url.endswith("/compte/signup/")
    expect(visitor.locator("main .errorlist")).to_have_count(2)
    expect(visitor.locator("#id_pseudonym")).to_have_attribute(
        "aria-describedby", "id_pseudonym_helptext id_pseudonym_error"
    )
    assert_page_language(visitor, language)
    assert_no_axe_violations(visitor, f"signup with errors ({language})")


def test_password_reset(visitor: Page, language: str) -> None:
    open_page(visitor, "/compte/password/reset/", language)
    assert_no_axe_violations(visitor, f"password reset ({language})")


def test_verification_sent(visitor: Page, language: str) -> None:
    open_page(visitor, "/compte/confirm-email/", language)
    assert_no_axe_violations(visitor, f"verification sent ({language})")


def test_email_confirmation(visitor: Page, language: str) -> None:
    # given an account whose address awaits confirmation
    newcomer = UserFactory(pseudonym="Nouveau", email_verified_at=None)
    address = EmailAddress.objects.create(
        user=newcomer, email=newcomer.email, primary=True, verified=False
    )
    key = EmailConfirmationHMAC(address).key
    # when its owner follows the link of the verification email
    open_page(visitor, f"/compte/confirm-email/{key}/", language)
    # then
    assert visitor.locator("main form button[type=submit]").count() == 1
    assert_no_axe_violations(visitor, f"email confirmation ({language})")


# Pages of a logged-in member


def test_profile(member_page: Page, language: str) -> None:
    open_page(member_page, "/compte/profil/", language)
    assert_no_axe_violations(member_page, f"profile ({language})")


def test_my_brands(member_page: Page, member: User, brand: Brand, language: str) -> None:
    # given a member of a brand
    MembershipFactory(user=member, brand=brand, role=Membership.Role.OWNER)
    # when they list their brands
    open_page(member_page, "/marques/mes-marques/", language)
    # then
    expect(member_page.locator("main li")).to_have_count(1)
    assert_no_axe_violations(member_page, f"my brands ({language})")


def test_brand_claim(member_page: Page, brand: Brand, language: str) -> None:
    open_page(member_page, f"/marques/{brand.slug}/revendiquer/", language)
    assert_no_axe_violations(member_page, f"brand claim ({language})")


def test_brand_claim_with_error(member_page: Page, brand: Brand, language: str) -> None:
    # given the claim form of a brand on dupain.fr
    open_page(member_page, f"/marques/{brand.slug}/revendiquer/", language)
    # when the member gives an address on another domain
    member_page.fill("#id_email", "camille@ailleurs.fr")
    submit_form(member_page, "main form")
    # then the error is shown, accessibly
    assert member_page.locator("#id_email_error").count() == 1
    assert_page_language(member_page, language)
    assert_no_axe_violations(member_page, f"brand claim with error ({language})")


def test_claim_confirmation(member_page: Page, member: User, brand: Brand, language: str) -> None:
    # given a pending claim of the member
    claim = DomainClaim.objects.create(brand=brand, user=member, email="camille@dupain.fr")
    # when they follow the emailed link
    open_page(member_page, f"/marques/revendication/{make_claim_token(claim=claim)}/", language)
    # then
    assert_no_axe_violations(member_page, f"claim confirmation ({language})")


def test_claim_confirmation_with_error(member_page: Page, language: str) -> None:
    # given a link that is not valid
    open_page(member_page, "/marques/revendication/pas-un-jeton/", language)
    # when the member confirms anyway
    submit_form(member_page, "main form")
    # then the error is shown, accessibly
    assert member_page.locator("main [role=alert]").count() == 1
    assert_page_language(member_page, language)
    assert_no_axe_violations(member_page, f"claim confirmation with error ({language})")
