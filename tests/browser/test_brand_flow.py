"""Issue 6, end to end in a real browser: a brand owner claims the brand's page through the
emailed link, invites a customer from a CSV file; the invitation email leaves; the customer
follows its link and writes a review, published as verified by invitation; the owner replies,
the customer is told; the dashboard shows the review, the reply rate and the invitation
conversion; and the brand's webhook receiver got both events, signed. Every page passes axe-core.
"""

import datetime
import hashlib
import hmac
import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, expect

from brands.models import DomainClaim, Invitation, Membership, WebhookDelivery
from brands.webhooks import create_webhook_endpoint
from reviews.models import Reply, Review
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, assert_no_axe_violations, log_in
from tests.factories import BrandFactory, UserFactory
from tests.reviews.replying import CLEAN_REPLY

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("axe_core")]

REVIEW_TEXT = (
    "Commande prête à l'heure, baguettes encore chaudes et accueil souriant au comptoir. "
    "La tarte aux fraises était délicieuse, je reviendrai samedi prochain."
)


class Receiver:
    """An HTTP server on 127.0.0.1, in a thread, that records what it is sent and answers 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/voix"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_LOCALHOST = True
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def signed(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (docs/api.md): recompute the HMAC over "<t>.<body>"."""
    fields = dict(part.split("=", 1) for part in headers["Voix-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def link_in(email: mail.EmailMessage, pattern: str) -> str:
    """The path of the link in an email (the email's links point at SITE_URL, not the live
    server: the browser opens the same path on the live server)."""
    match = re.search(pattern, email.body)
    assert match, email.body
    return match.group(1)


def only_email_to(address: str) -> mail.EmailMessage:
    emails = [m for m in mail.outbox if m.to == [address]]
    assert len(emails) == 1, [(m.to, m.subject) for m in mail.outbox]
    return emails[0]


@pytest.mark.req("FR-17")
@pytest.mark.req("NF-RES-5")
def test_a_brand_is_claimed_invites_a_customer_and_replies_to_the_review(
    browser: Browser, live_server: Any, settings: Any, receiver: Receiver
) -> None:
    # given: a brand on its web domain, an employee and a customer, both with verified accounts
    settings.INVITATION_SEND_DELAY = datetime.timedelta(0)
    brand = BrandFactory(name="Boulangerie Dupain", slug="boulangerie-dupain", domain="dupain.fr")
    owner = UserFactory(email="marie.perso@example.org", pseudonym="MarieDupain", language="en")
    customer = UserFactory(email="camille@example.org", pseudonym="Camille", language="en")
    contexts = [browser.new_context(base_url=live_server.url) for _ in range(2)]
    for browser_context in contexts:
        browser_context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        log_in(contexts[0], live_server.url, owner)
        page = contexts[0].new_page()

        # (1) The employee claims the brand's page with an address on its domain ...
        page.goto(f"/marques/{brand.slug}/revendiquer/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Claim Boulangerie Dupain")
        assert_no_axe_violations(page, "the claim form")
        page.get_by_label("Your work email address").fill("marie@dupain.fr")
        page.get_by_role("button", name="Send the confirmation link").click()
        expect(page.locator("body")).to_contain_text("Check the inbox of marie@dupain.fr")
        assert_no_axe_violations(page, "the profile after the claim")
        # ... and follows the link emailed to that address.
        claim_path = link_in(
            only_email_to("marie@dupain.fr"), r"https?://\S+?(/marques/revendication/\S+?/)"
        )
        page.goto(claim_path)
        assert_no_axe_violations(page, "the claim confirmation")
        page.get_by_role("button", name="Confirm that I work for this brand").click()
        expect(page.locator("body")).to_contain_text("You are now a member of Boulangerie Dupain.")
        assert DomainClaim.objects.get(brand=brand, user=owner).status == "verified"
        assert Membership.objects.get(brand=brand, user=owner).role == "owner"
        brand.refresh_from_db()
        assert brand.domain_verified_at is not None

        # The brand's integration: a webhook endpoint for published reviews and replies.
        endpoint = create_webhook_endpoint(
            brand=brand,
            actor=owner,
            url=receiver.url,
            events=["review.published", "reply.published"],
        )

        # (2) The owner invites a customer by uploading a CSV file, attesting customers only.
        page.goto(f"/marques/{brand.slug}/invitations/importer/")
        assert_no_axe_violations(page, "the upload form")
        purchase = timezone.localdate() - datetime.timedelta(days=2)
        page.set_input_files(
            "input[name=file]",
            {
                "name": "clients.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "email,name,order_reference,purchase_date,product,language\n"
                    f"camille@example.org,Camille,CMD-1042,{purchase.isoformat()},"
                    "Tarte aux fraises,en\n"
                ).encode(),
            },
        )
        page.get_by_label(re.compile("^I confirm that I invite only customers")).check()
        page.get_by_role("button", name="Upload and invite").click()
        expect(page.locator(".created-count")).to_have_text("1 invitation created.")
        expect(page.locator(".error-count")).to_contain_text("0 lines refused")
        assert_no_axe_violations(page, "the upload report")
        invitation = Invitation.objects.get(brand=brand)
        assert (invitation.status, invitation.order_reference) == ("scheduled", "CMD-1042")

        # (3) The invitation email leaves (no delay here).
        call_command("send_due_invitations", stdout=io.StringIO())
        invitation.refresh_from_db()
        assert invitation.status == "sent"
        invitation_email = only_email_to("camille@example.org")
        invitation_path = link_in(invitation_email, r"https?://\S+?(/avis/invitation/\S+?/)")

        # (4) The customer, logged in, opens the link and writes the review.
        log_in(contexts[1], live_server.url, customer)
        customer_page = contexts[1].new_page()
        customer_page.goto(invitation_path)
        expect(customer_page.locator(".invitation-facts")).to_contain_text("CMD-1042")
        assert_no_axe_violations(customer_page, "the invited review form")
        customer_page.locator("#id_channel").select_option("in_store")
        # (the rating's choices are by value: their labels are translated once, at import)
        customer_page.locator("input[name=rating][value='5']").check()
        customer_page.locator("#id_title").fill("Parfait pour le goûter")
        customer_page.locator("#id_text").fill(REVIEW_TEXT)
        customer_page.get_by_label(re.compile("^I confirm this review reflects")).check()
        customer_page.get_by_role("button", name="Send my review").click()
        expect(customer_page.locator("body")).to_contain_text("Thank you! Your review")
        assert_no_axe_violations(customer_page, "the customer's reviews")
        # ... the pipeline publishes it, verified by invitation.
        review = Review.objects.get(brand=brand)
        assert (review.status, review.verification, review.author, review.rating) == (
            Review.Status.PUBLISHED,
            Review.Verification.INVITATION,
            customer,
            5,
        )
        assert review.experience_date == purchase
        invitation.refresh_from_db()
        assert invitation.status == "reviewed"

        # (5) The owner replies from the brand's reviews page; the pipeline publishes the reply.
        page.goto(f"/avis/marque/{brand.slug}/")
        card = page.locator(f"#review-{review.pk}")
        expect(card).to_contain_text("No reply yet.")
        assert_no_axe_violations(page, "the brand's reviews")
        card.get_by_label(re.compile("^Your public reply")).fill(CLEAN_REPLY)
        card.get_by_role("button", name=re.compile("^Send the reply")).click()
        card = page.locator(f"#review-{review.pk}")
        expect(card.locator(".reply-published")).to_contain_text("Published on")
        expect(card.locator(".reply-text")).to_contain_text("Merci beaucoup pour votre retour")
        assert_no_axe_violations(page, "the brand's reviews with the reply")
        reply = Reply.objects.get(review=review)
        assert reply.published is not None
        assert reply.published.text == CLEAN_REPLY
        # ... and the customer is told (after the email that their review was published).
        told = [m for m in mail.outbox if m.to == [customer.email] and m is not invitation_email]
        assert [m.subject for m in told] == [
            "Your review of Boulangerie Dupain is published",
            "Boulangerie Dupain replied to your review",
        ]

        # (6) The dashboard: one review, replied to; one invitation sent, one review from it.
        page.goto(f"/avis/marque/{brand.slug}/tableau-de-bord/")
        expect(page.locator("#figure-replies")).to_contain_text(
            "1 of the 1 reviews published in the period have a published reply"
        )
        month = page.locator("#table-months tbody tr").last
        expect(month.locator("td")).to_have_text(
            [re.compile(r"^5([.,]0)?$"), "1", "1", "1", "100 %"]
        )
        expect(page.locator("#table-invitations tfoot td")).to_have_text(["1", "1"])
        assert_no_axe_violations(page, "the dashboard")
        csv_url = page.get_by_role("link", name="CSV", exact=True).get_attribute("href")
        assert csv_url
        rows = page.request.get(csv_url).text().splitlines()
        # (the HTML page shows the invitations sent and the reviews written from them; the rate
        # itself, a ratio, is in the download)
        for figure in ("invitations,all,conversion", "replies,all,reply_rate"):
            assert any(re.fullmatch(figure + r",1(\.0+)?", row) for row in rows), (figure, rows)

        # (7) The receiver got both events, each signed with the endpoint's secret.
        events = [headers["Voix-Event"] for headers, _ in receiver.requests]
        assert events == ["review.published", "reply.published"]
        for headers, body in receiver.requests:
            assert signed(endpoint.secret, headers, body)
            assert not signed(endpoint.secret + "x", headers, body)
            assert json.loads(body)["event"] == headers["Voix-Event"]
            assert customer.email not in body.decode()
        assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == [
            "delivered",
            "delivered",
        ]
    finally:
        for browser_context in contexts:
            browser_context.close()
