"""Reporting a review in a real browser: the report page (for a visitor and a brand member),
its errors, the confirmation and "My reports", with zero axe-core violations, in both
languages; the forms are usable with the keyboard alone."""

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from brands.models import Brand
from moderation.models import Report, WorkItem
from moderation.services import decide_work_item
from reviews.models import Review
from reviews.services import report_review, submit_review
from tests.browser.conftest import assert_no_axe_violations, log_in, use_language
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]


@pytest.fixture(params=["fr", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def review(brand: Brand) -> Review:
    """A review published by the (eager) pipeline after its commit."""
    submitted = submit_review(
        author=UserFactory(),
        brand=brand,
        channel="in_store",
        rating=2,
        title="Commande incomplète",
        text="Il manquait la moitié de la commande et personne ne répond au téléphone depuis.",
        language="fr",
        experience_date=timezone.localdate() - datetime.timedelta(days=3),
        attested=True,
        client_ip="203.0.113.7",
    )
    submitted.refresh_from_db()
    assert submitted.status == Review.Status.PUBLISHED
    return submitted


def open_report_page(page: Page, review: Review, language: str) -> None:
    page.goto(f"/avis/{review.pk}/signaler/")
    assert page.locator("html").get_attribute("lang") == language


def test_a_visitor_sends_a_notice_with_the_keyboard(
    context: BrowserContext, live_server: Any, review: Review, language: str
) -> None:
    # given: a visitor on the report page
    use_language(context, live_server.url, language)
    page = context.new_page()
    open_report_page(page, review, language)
    assert_no_axe_violations(page, f"report page ({language})")
    # when: sent empty, the errors are shown next to the fields
    with page.expect_navigation():
        page.locator("#notice button[type=submit]").click()
    expect(page.locator("#notice .has-error")).to_have_count(4)
    assert_no_axe_violations(page, f"report page with errors ({language})")
    # when: filled in and sent with the keyboard alone
    page.locator("#id_notice-explanation").focus()
    page.keyboard.type("Cet avis donne le nom complet d'une salariée.")
    page.keyboard.press("Tab")  # the location, pre-filled
    page.keyboard.press("Tab")
    page.keyboard.type("Jeanne Martin")
    page.keyboard.press("Tab")
    page.keyboard.type("jeanne.martin@example.net")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # then: the confirmation says what happens next
    expect(page.locator(".report-delay")).to_be_visible()
    assert_no_axe_violations(page, f"report received ({language})")
    report = Report.objects.get()
    assert (report.notifier_email, report.good_faith_confirmed) == (
        "jeanne.martin@example.net",
        True,
    )


def test_a_brand_member_sees_the_flag_form(
    context: BrowserContext, live_server: Any, review: Review, brand: Brand, language: str
) -> None:
    member = MembershipFactory(brand=brand, user=UserFactory(language=language)).user
    log_in(context, live_server.url, member)
    page = context.new_page()
    open_report_page(page, review, language)
    expect(page.locator("#id_flag-flag_reason")).to_be_visible()
    expect(page.locator("#id_conduct-rule_code")).to_be_visible()
    assert_no_axe_violations(page, f"report page of a brand member ({language})")


def test_my_reports(
    context: BrowserContext, live_server: Any, review: Review, moderator: User, language: str
) -> None:
    # given: a dismissed report and an open one
    reader = UserFactory(language=language)
    report = report_review(
        review_id=review.pk,
        reporter=reader,
        source="code_of_conduct",
        rule_code="off_topic",
        explanation="Cet avis parle d'un autre commerce.",
    )
    decide_work_item(
        item_id=WorkItem.objects.get(report=report).pk, moderator=moderator, action="dismiss"
    )
    report_review(
        review_id=review.pk,
        reporter=reader,
        source="illegal_content",
        explanation="Cet avis donne le nom complet d'une salariée.",
        notifier_name="Lectrice",
        good_faith_confirmed=True,
    )
    log_in(context, live_server.url, reader)
    page = context.new_page()
    # when
    page.goto("/avis/mes-signalements/")
    # then
    expect(page.locator(".report-card")).to_have_count(2)
    expect(page.locator(".appeal-link")).to_have_count(1)
    assert_no_axe_violations(page, f"my reports ({language})")
