"""A real browser signs up, verifies its email from the link received, logs in; and the keyboard."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from audit.models import AuditEvent

EMAIL = "camille.martin@example.org"
PASSWORD = "Sel-de-Guerande-2024"
PSEUDONYM = "Camille des Halles"
CONFIRMATION_LINK = re.compile(r"https?://\S+/compte/confirm-email/[^/\s]+/")
LOGOUT_BUTTON = "header form[action='/compte/logout/'] button"


def sign_up(page: Page, *, email: str, password: str, pseudonym: str) -> None:
    page.goto("/compte/signup/")
    page.fill("#id_email", email)
    page.fill("#id_pseudonym", pseudonym)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    submit_main_form(page)


def log_in_with_form(page: Page, *, email: str, password: str) -> None:
    page.goto("/compte/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    submit_main_form(page)


def submit_main_form(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def confirmation_link(message: EmailMessage) -> str:
    match = CONFIRMATION_LINK.search(message.body)
    assert match, f"no confirmation link in:\n{message.body}"
    return match.group(0)


def audited_actions(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).values_list(
            "action", flat=True
        )
    )


def path_of(page: Page) -> str:
    return page.evaluate("location.pathname + location.search")


def page_language(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def french_profile_facts(user: User) -> list[str]:
    """What the profile lists, as the French interface formats it."""
    assert user.email_verified_at is not None
    with translation.override("fr"):
        verified_at = date_format(timezone.localtime(user.email_verified_at), "DATETIME_FORMAT")
        return [user.pseudonym, user.email, verified_at, str(user.get_role_display())]


@pytest.mark.browser
@pytest.mark.req("NF-COL-3")
def test_sign_up_verify_the_email_then_log_in(page: Page, mailoutbox: list[EmailMessage]) -> None:
    # given a visitor on the French interface
    page.goto("/")
    assert page_language(page) == "fr"

    # when they sign up
    sign_up(page, email=EMAIL, password=PASSWORD, pseudonym=PSEUDONYM)

    # then they are told to check their inbox, where one verification email waits
    assert path_of(page) == "/compte/confirm-email/"
    assert page.locator(LOGOUT_BUTTON).count() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [EMAIL]
    user = User.objects.get(email=EMAIL)
    assert user.email_verified_at is None

    # when they follow the link and confirm (a GET alone confirms nothing)
    page.goto(confirmation_link(mailoutbox[0]))
    assert page_language(page) == "fr"
    user.refresh_from_db()
    assert user.email_verified_at is None
    submit_main_form(page)

    # then the address is verified, and they are asked to log in
    assert path_of(page) == "/compte/login/"

    # when they log in with their email and password
    log_in_with_form(page, email=EMAIL, password=PASSWORD)

    # then they land on the home page, logged in
    assert path_of(page) == "/"
    expect(page.locator(LOGOUT_BUTTON)).to_have_count(1)

    # and their profile shows their pseudonym and when their email was verified
    page.goto("/compte/profil/")
    user.refresh_from_db()
    expect(page.locator("main .facts dd")).to_have_text(french_profile_facts(user))
    assert user.pseudonym == PSEUDONYM
    assert user.language == "fr"
    assert user.email_verified_at is not None
    assert EmailAddress.objects.filter(user=user, email=EMAIL, verified=True).count() == 1
    assert audited_actions(user) == [
        AuditEvent.Action.USER_SIGNED_UP,
        AuditEvent.Action.EMAIL_VERIFIED,
    ]
    assert AuditEvent.objects.filter(actor=user).count() == 2


@pytest.mark.browser
@pytest.mark.req("NF-COL-3")
def test_logging_in_before_verifying_the_email_gives_no_session(
    page: Page, mailoutbox: list[EmailMessage]
) -> None:
    # given an account whose email is not verified yet
    sign_up(page, email=EMAIL, password=PASSWORD, pseudonym=PSEUDONYM)
    assert len(mailoutbox) == 1

    # when its owner logs in with the right password
    log_in_with_form(page, email=EMAIL, password=PASSWORD)

    # then they are sent back to "check your inbox", not logged in
    assert path_of(page) == "/compte/confirm-email/"
    assert page.locator(LOGOUT_BUTTON).count() == 0
    page.goto("/compte/profil/")
    assert path_of(page) == "/compte/login/?next=/compte/profil/"
    user = User.objects.get(email=EMAIL)
    assert user.email_verified_at is None
    assert audited_actions(user) == [AuditEvent.Action.USER_SIGNED_UP]


# Keyboard and language


def press_tab_until_focused(page: Page, target: Locator, *, max_presses: int = 20) -> int:
    """Tab through the page like a keyboard user; return how many presses reached the target."""
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{target} not reached in {max_presses} presses of Tab")


def is_in_viewport(locator: Locator) -> bool:
    box = locator.bounding_box()
    viewport = locator.page.viewport_size
    assert viewport is not None
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


@pytest.mark.browser
def test_first_tab_shows_the_skip_link_which_moves_focus_to_main(page: Page) -> None:
    # given the home page, its skip link out of sight
    page.goto("/")
    skip_link = page.locator("a.skip-link")
    assert skip_link.get_attribute("href") == "#main"
    assert not is_in_viewport(skip_link)

    # when the keyboard user presses Tab once
    page.keyboard.press("Tab")

    # then the skip link has the focus, and is visible
    expect(skip_link).to_be_focused()
    assert is_in_viewport(skip_link)

    # when they activate it
    page.keyboard.press("Enter")

    # then the focus is on the main content
    expect(page.locator("main#main")).to_be_focused()


@pytest.mark.browser
def test_language_switch_by_keyboard_to_english_and_back(page: Page) -> None:
    # given the login page in French
    page.goto("/compte/login/")
    assert page_language(page) == "fr"

    # when the keyboard user reaches the "English" button and activates it
    to_english = page.locator("header button[name=language][value=en]")
    assert to_english.get_attribute("lang") == "en"
    press_tab_until_focused(page, to_english)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then the same page is in English
    assert path_of(page) == "/compte/login/"
    assert page_language(page) == "en"
    expect(page.locator("a.skip-link")).to_have_text("Skip to content")
    expect(page.locator("main h1")).to_have_text("Sign In")

    # when they switch back to French
    to_french = page.locator("header button[name=language][value=fr]")
    assert to_french.get_attribute("lang") == "fr"
    press_tab_until_focused(page, to_french)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then the page is in French again
    assert path_of(page) == "/compte/login/"
    assert page_language(page) == "fr"
    expect(page.locator("main h1")).to_have_text("Connexion")
