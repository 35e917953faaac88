"""Issue 4, end to end in a real browser: a moderator claims the oldest item, sees its evidence
and rejects it with a rule; the author receives the statement of reasons and appeals; a second
moderator reverses the decision; the review is public again and its history shows every step.
Every page passes axe-core. (Two moderators racing for one item: test_workspace_concurrency.)"""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from brands.models import Brand
from moderation.models import Appeal, Decision, StatementOfReasons, WorkItem
from reviews.models import Review
from reviews.services import submit_review
from tests.browser.conftest import assert_no_axe_violations, log_in
from tests.factories import UserFactory
from tests.reviews.publishing import submit_and_decide

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]

TEXT = (
    "Livraison en retard de trois jours, colis abîmé et service client injoignable malgré "
    "plusieurs relances par téléphone et par courriel."
)


@pytest.fixture
def doubtful_review(brand: Brand, moderator: User) -> Review:
    """A review whose text is nearly another account's, published earlier on the same brand:
    the pipeline sends it to a moderator."""
    submit_and_decide(brand=brand, moderator=moderator, rating=1, text=TEXT)
    author = UserFactory(pseudonym="Camille", language="en")
    with TestCase.captureOnCommitCallbacks(execute=True):
        review = submit_review(
            author=author,
            brand=brand,
            channel="delivery",
            rating=1,
            title="Colis abîmé",
            text=TEXT + " Vraiment déçu.",
            language="fr",
            experience_date=timezone.localdate(),
            attested=True,
            client_ip="192.0.2.10",
            user_agent="Browser/1",
        )
    review.refresh_from_db()
    assert review.status == Review.Status.IN_REVIEW
    return review


def moderator_page(context: BrowserContext, live_server: Any, user: User) -> Page:
    log_in(context, live_server.url, user)
    return context.new_page()


@pytest.mark.req("DSA-9")
@pytest.mark.req("DSA-17")
@pytest.mark.req("DSA-18")
@pytest.mark.req("DSA-20")
def test_a_rejection_is_explained_contested_and_reversed(
    browser: Any, live_server: Any, doubtful_review: Review
) -> None:
    first = UserFactory(
        pseudonym="Modo1", role="moderator", moderation_languages=["fr"], language="en"
    )
    second = UserFactory(
        pseudonym="Modo2", role="moderator", moderation_languages=["fr"], language="en"
    )
    contexts = [browser.new_context(base_url=live_server.url) for _ in range(3)]
    try:
        # A moderator claims the oldest item and sees its evidence.
        page = moderator_page(contexts[0], live_server, first)
        page.goto("/moderation/file/")
        assert_no_axe_violations(page, "the queue")
        page.get_by_role("button", name=re.compile("Claim the next item")).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Item No.")
        expect(page.locator("main")).to_contain_text("similar")
        assert_no_axe_violations(page, "the item page")
        # ... and rejects it with a rule of the code of conduct.
        page.get_by_label(re.compile("^Rule")).select_option("duplicate_content")
        page.get_by_role("button", name=re.compile("^Reject")).click()
        expect(page.locator("main")).to_be_visible()
        doubtful_review.refresh_from_db()
        assert doubtful_review.status == Review.Status.REJECTED
        statement = StatementOfReasons.objects.get(decision_id=doubtful_review.decision_id)
        assert statement.automated_decision == "AUTOMATED_DECISION_NOT_AUTOMATED"

        # The author receives the statement of reasons, with the way to contest it.
        email = next(m for m in mail.outbox if m.to == [doubtful_review.author.email])
        assert "duplicate" in email.body.lower()
        assert f"/avis/{doubtful_review.pk}/contester/" in email.body
        # ... reads it in their account and appeals.
        page = moderator_page(contexts[1], live_server, doubtful_review.author)
        page.goto(f"/avis/{doubtful_review.pk}/decision/")
        assert_no_axe_violations(page, "the statement of reasons")
        page.get_by_role("link", name="Contest this decision").first.click()
        page.get_by_label("Why do you contest this decision?").fill(
            "J'ai bien vécu cette livraison : mon texte ressemble à un autre par hasard."
        )
        assert_no_axe_violations(page, "the appeal form")
        page.get_by_role("button", name="Send my appeal").click()
        expect(page.locator("main")).to_contain_text("appeal")
        appeal = Appeal.objects.get(submission__object_id=str(doubtful_review.pk))
        assert appeal.first_decided_by == first

        # The first moderator is never offered the appeal ...
        assert WorkItem.objects.filter(
            appeal=appeal, state="open", excluded_moderator=first
        ).exists()
        # ... a second moderator reverses the decision, with reasons.
        page = moderator_page(contexts[2], live_server, second)
        page.goto("/moderation/file/?kind=appeal")
        page.get_by_role("button", name=re.compile("Claim the next item")).first.click()
        expect(page.locator("main")).to_contain_text("The appeal")
        page.get_by_label(re.compile("^Reasons")).fill(
            "Les deux textes décrivent un même retard de livraison : rien n'indique un faux avis."
        )
        page.get_by_role("button", name=re.compile("^Reverse")).click()

        # The review is public again, and everyone concerned was told.
        doubtful_review.refresh_from_db()
        appeal.refresh_from_db()
        assert (doubtful_review.status, appeal.status, appeal.decided_by) == (
            Review.Status.PUBLISHED,
            Appeal.Status.REVERSED,
            second,
        )
        assert Decision.objects.filter(
            submission=appeal.submission, outcome="publish", decided_by=second
        ).exists()
        assert sum(m.to == [doubtful_review.author.email] for m in mail.outbox) >= 3

        # Its public history shows every step, with no moderator's name.
        visitor = contexts[0].new_page()
        visitor.goto(f"/avis/{doubtful_review.pk}/historique/")
        timeline = visitor.locator("ol.timeline, .timeline").first
        kinds = [
            (cls or "").split("entry-")[-1]
            for cls in visitor.locator("li.timeline-entry").evaluate_all(
                "items => items.map(item => item.className)"
            )
        ]
        assert kinds[:2] == ["submitted", "sent_to_moderator"]
        for step in ("rule_applied", "rejected", "appealed", "appeal_reversed", "published"):
            assert step in kinds, (step, kinds)
        assert kinds.index("rejected") < kinds.index("appealed") < kinds.index("published")
        expect(timeline).not_to_contain_text("Modo1")
        expect(timeline).not_to_contain_text("Modo2")
        assert_no_axe_violations(visitor, "the review's history")
    finally:
        for browser_context in contexts:
            browser_context.close()
