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


# Information pages, the transparency report and review histories (issue 5)


@pytest.fixture
def decided_reviews(brand: Brand) -> dict[str, Any]:
    """One published and one rejected review, decided by the (eager) pipeline after commit."""
    import datetime

    from django.utils import timezone

    from reviews.services import submit_review

    common = {
        "brand": brand,
        "place": None,
        "channel": "in_store",
        "title": "Très bonne boulangerie",
        "language": "fr",
        "experience_date": timezone.localdate() - datetime.timedelta(days=3),
        "attested": True,
        "client_ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 Test",
    }
    published = submit_review(
        author=UserFactory(),
        rating=5,
        text="Accueil chaleureux, pain encore tiède et croissants croustillants, j'y retourne.",
        **common,
    )
    rejected = submit_review(
        author=UserFactory(),
        rating=1,
        text="Le gérant est un vrai connard, je ne reviendrai jamais dans cette boulangerie.",
        **common,
    )
    return {"published": published, "rejected": rejected}


@pytest.mark.parametrize(
    "path",
    [
        "/fonctionnement-des-avis/",
        "/calcul-des-notes/",
        "/independance/",
        "/engagements/",
        "/confidentialite/",
    ],
)
def test_information_pages(visitor: Page, language: str, path: str) -> None:
    open_page(visitor, path, language)
    expect(visitor.locator("footer nav a")).to_have_count(7)
    assert_no_axe_violations(visitor, f"{path} ({language})")


def test_transparency_report(visitor: Page, decided_reviews: dict[str, Any], language: str) -> None:
    # given a published and a rejected review / when a visitor opens the report
    open_page(visitor, "/transparence/", language)
    # then the figures, charts and tables are there, accessibly
    expect(visitor.locator("#figure-received")).to_have_text("2")
    expect(visitor.locator("main svg[role=img]")).to_have_count(3)
    assert_no_axe_violations(visitor, f"transparency report ({language})")


def test_transparency_report_with_a_bad_period(visitor: Page, language: str) -> None:
    open_page(visitor, "/transparence/?start=2026-10-31&end=2026-10-01", language)
    expect(visitor.locator("main [role=alert]")).to_have_count(1)
    assert_no_axe_violations(visitor, f"transparency report with an error ({language})")


@pytest.mark.parametrize("which", ["published", "rejected"])
def test_review_history(
    visitor: Page, decided_reviews: dict[str, Any], language: str, which: str
) -> None:
    # given a decided review / when a visitor opens its history
    open_page(visitor, f"/avis/{decided_reviews[which].pk}/historique/", language)
    # then every step is listed, accessibly
    expect(visitor.locator("main .timeline-entry")).to_have_count(3)
    assert_no_axe_violations(visitor, f"{which} review history ({language})")


# Brand search, brand and place pages (issue 5: ratings and review lists)


@pytest.fixture
def rated_brand(brand: Brand) -> Brand:
    """The brand with a place and three published reviews, one verified, one incentivised."""
    from tests.factories import PlaceFactory
    from tests.reviews.publishing import submit_and_decide

    place = PlaceFactory(brand=brand, name="Dupain Bastille", city="Paris")
    moderator = UserFactory(role="moderator", moderation_languages=["fr", "en"])
    submit_and_decide(brand=brand, moderator=moderator, rating=5, verification="invitation")
    submit_and_decide(brand=brand, moderator=moderator, rating=3, place=place, channel="website")
    submit_and_decide(
        brand=brand,
        moderator=moderator,
        rating=4,
        incentive_received=True,
        incentive_description="un café offert",
    )
    return brand


def test_brand_search(visitor: Page, rated_brand: Brand, language: str) -> None:
    # given a rated brand / when a visitor searches brands in Paris
    open_page(visitor, "/marques/?city=Paris", language)
    # then it is found, accessibly
    expect(visitor.locator("main .brand-results li")).to_have_count(1)
    assert_no_axe_violations(visitor, f"brand search ({language})")


def test_brand_search_with_an_ignored_filter(visitor: Page, language: str) -> None:
    open_page(visitor, "/marques/?min_rating=9", language)
    expect(visitor.locator("main .message.warning")).to_have_count(1)
    assert_no_axe_violations(visitor, f"brand search with an ignored filter ({language})")


def test_brand_page(visitor: Page, rated_brand: Brand, language: str) -> None:
    # when a visitor opens the brand page
    open_page(visitor, f"/marques/{rated_brand.slug}/", language)
    # then the rating, the tables and the reviews are there, accessibly
    expect(visitor.locator("main .rating-bars li")).to_have_count(5)
    expect(visitor.locator("main .review-card")).to_have_count(3)
    assert_no_axe_violations(visitor, f"brand page ({language})")


def test_brand_page_filtered_with_an_ignored_value(
    visitor: Page, rated_brand: Brand, language: str
) -> None:
    open_page(visitor, f"/marques/{rated_brand.slug}/?sort=lowest&rating=9", language)
    expect(visitor.locator("main .message.warning")).to_have_count(1)
    assert_no_axe_violations(visitor, f"brand page with an ignored filter ({language})")


def test_brand_page_of_a_member(member_page: Page, rated_brand: Brand, language: str) -> None:
    # given a logged-in member / when they open the brand page, with its "helpful" buttons
    open_page(member_page, f"/marques/{rated_brand.slug}/", language)
    expect(member_page.locator("main .review-card button[type=submit]")).to_have_count(3)
    assert_no_axe_violations(member_page, f"brand page, logged in ({language})")


def test_place_page(visitor: Page, rated_brand: Brand, language: str) -> None:
    place = rated_brand.places.get()
    open_page(visitor, f"/marques/{rated_brand.slug}/{place.slug}/", language)
    expect(visitor.locator("main .review-card")).to_have_count(1)
    assert_no_axe_violations(visitor, f"place page ({language})")
