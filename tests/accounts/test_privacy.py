"""A member's export of their data and the erasure of their account (accounts/privacy.py)."""

import json

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token

from accounts.forms import SignupForm
from accounts.models import User
from accounts.privacy import erase_account, export_personal_data
from audit.models import AuditEvent
from brands.models import Invitation
from config.errors import ApplicationError, PermissionDeniedError
from moderation.models import Report, Submission
from reviews.models import RatingBucket, Review
from tests.accounts.privacy_support import member_with_data, rows_containing
from tests.factories import UserFactory
from tests.reviews.publishing import submit_and_decide

pytestmark = pytest.mark.django_db


def erase(member, reviews):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return erase_account(user_id=member.user.pk, actor=member.user, reviews=reviews)


# EXPORT
# ------------------------------------------------------------------------------


@pytest.mark.req("ISO-PRIV-1", "FR-11")
def test_the_export_holds_every_kind_of_the_members_data(brand, moderator):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    # when
    data = export_personal_data(user_id=member.user.pk, actor=member.user)
    # then
    assert data["format"] == "voix-personal-data/1"
    assert data["account"]["email"] == "hortense.lenoir@example.org"
    assert data["account"]["pseudonym"] == "Hortensia"
    reviews = data["reviews"]["reviews"]
    assert [r["id"] for r in reviews] == [r.pk for r in member.reviews]
    assert [r["status"] for r in reviews] == ["published", "published"]
    assert [r["rating"] for r in reviews] == [5, 2]
    assert reviews[0]["decisions"][-1]["outcome"] == "publish"
    assert reviews[0]["decisions"][-1]["decided_by"] in ("automated checks", "moderator")
    assert [v["review_id"] for v in data["reviews"]["helpful_votes"]] == [member.others_review.pk]
    assert data["reviews"]["replies"] == []
    [report] = data["moderation"]["reports"]
    assert report["about"] == {"kind": "review", "id": str(member.others_review.pk)}
    assert report["notifier_name"] == "Hortense Lenoir"
    assert report["status"] == "open"
    [invitation] = data["brands"]["invitations_received"]
    assert invitation["order_reference"] == "CMD-4242"
    assert invitation["name"] == "Hortense Lenoir"
    assert {e["action"] for e in data["activity"]} >= {
        "review_submitted",
        "review_voted_helpful",
        "report_filed",
    }


def test_the_export_holds_nothing_of_anyone_else(brand, moderator):
    # given someone else's review, voted and reported by the member, and their invitation
    member = member_with_data(brand=brand, moderator=moderator)
    # when
    text = json.dumps(export_personal_data(user_id=member.user.pk, actor=member.user))
    # then
    for other in ("bastien.roux@example.org", "Bastoune", "Bastien Roux", "CMD-7", "Modo"):
        assert other.lower() not in text.lower()
    assert member.others_review.text not in text


def test_an_export_is_audited_without_personal_data(brand, moderator):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    # when
    export_personal_data(user_id=member.user.pk, actor=member.user)
    # then
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == AuditEvent.Action.ACCOUNT_DATA_EXPORTED
    assert event.actor_id == member.user.pk
    assert event.object_id == str(member.user.pk)
    assert event.details == {
        "sections": [
            "account",
            "activity",
            "brands",
            "exported_at",
            "format",
            "moderation",
            "reviews",
        ]
    }


def test_the_api_exports_the_logged_in_members_data(client, brand, moderator):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    client.force_login(member.user)
    # when
    response = client.get("/api/v1/me/export/")
    # then
    assert response.status_code == 200
    assert response.json()["account"]["email"] == "hortense.lenoir@example.org"
    assert len(response.json()["reviews"]["reviews"]) == 2


def test_the_web_page_downloads_the_export_as_a_json_file(client, customer):
    # given
    client.force_login(customer)
    assert client.get(reverse("my-data")).status_code == 200
    # when
    response = client.post(reverse("my-data-export"))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="voix-my-data-')
    assert json.loads(response.content)["account"]["pseudonym"] == "Camille"


def test_the_export_is_a_post_on_the_web(client, customer):
    # given
    client.force_login(customer)
    # when
    response = client.get(reverse("my-data-export"))
    # then
    assert response.status_code == 405


# PERMISSIONS
# ------------------------------------------------------------------------------


def test_anonymous_visitors_export_and_erase_nothing(client, customer):
    # when / then
    assert client.get("/api/v1/me/export/").status_code in (401, 403)
    assert client.post("/api/v1/me/erase/", {"reviews": "keep"}).status_code in (401, 403)
    for name in ("my-data", "erase-account"):
        assert client.get(reverse(name)).status_code == 302
    assert client.post(reverse("my-data-export")).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DATA_EXPORTED).exists()


@pytest.mark.parametrize("role", ["customer", "moderator", "operator"])
def test_nobody_exports_or_erases_someone_elses_account(customer, role):
    # given
    other = UserFactory(role=role, is_staff=role == "operator")
    # when / then
    with pytest.raises(PermissionDeniedError):
        export_personal_data(user_id=customer.pk, actor=other)
    with pytest.raises(PermissionDeniedError):
        erase_account(user_id=customer.pk, actor=other, reviews="keep")
    customer.refresh_from_db()
    assert customer.erased_at is None
    assert customer.email.endswith("@example.org")


def test_an_unknown_choice_for_the_reviews_is_refused(customer):
    # when / then
    with pytest.raises(ApplicationError) as refused:
        erase_account(user_id=customer.pk, actor=customer, reviews="sell")
    assert refused.value.field == "reviews"
    customer.refresh_from_db()
    assert customer.is_active


def test_an_erased_account_is_not_erased_twice(customer):
    # given
    erase_account(user_id=customer.pk, actor=customer, reviews="keep")
    customer.refresh_from_db()
    # when / then: the erased account is inactive, it cannot act any more
    with pytest.raises(PermissionDeniedError):
        erase_account(user_id=customer.pk, actor=customer, reviews="keep")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_ERASED).count() == 1


# ERASURE
# ------------------------------------------------------------------------------


@pytest.mark.req("ISO-PRIV-1", "ISO-MOD-5", "NF-MOD-6")
def test_erasing_with_removal_takes_the_reviews_off_public_pages_and_ratings(
    client, brand, moderator
):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    # when
    erase(member, "remove")
    # then
    assert {r.status for r in Review.objects.filter(author=member.user)} == {"withdrawn"}
    page = client.get(reverse("brand-detail", args=[brand.slug])).content.decode()
    for review in member.reviews:
        assert review.title not in page
    assert member.others_review.title in page
    published = RatingBucket.objects.filter(brand=brand).aggregate(n=Sum("published"))["n"]
    assert published == Review.objects.filter(brand=brand, status="published").count() == 1
    call_command("recompute_ratings", "--check")
    call_command("verify_audit_trail")


@pytest.mark.req("ISO-PRIV-1")
def test_erasing_with_keeping_shows_the_reviews_under_former_member(client, brand, moderator):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    client.get(reverse("brand-detail", args=[brand.slug]), HTTP_ACCEPT_LANGUAGE="en")  # cached
    # when
    erase(member, "keep")
    # then the reviews stay published, by "Former member", at once
    assert {r.status for r in Review.objects.filter(author=member.user)} == {"published"}
    page = client.get(
        reverse("brand-detail", args=[brand.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    for review in member.reviews:
        assert review.title in page
    # without their number of published reviews, which would tie them together
    assert page.count('<p class="review-author">By Former member</p>') == len(member.reviews)
    assert "Hortensia" not in page
    listed = client.get(
        reverse("api-brand-reviews", args=[brand.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).json()["results"]
    assert [r["author_published_reviews"] for r in listed if r["author"] == "Former member"] == [
        None
    ] * len(member.reviews)
    api = client.get("/api/v1/reviews/", {"brand": brand.slug}, HTTP_ACCEPT_LANGUAGE="en").json()
    authors = {r["id"]: r["author"] for r in api["results"]}
    assert [authors[r.pk] for r in member.reviews] == ["Former member", "Former member"]
    call_command("recompute_ratings", "--check")
    call_command("verify_audit_trail")


@pytest.mark.req("ISO-PRIV-1")
@pytest.mark.parametrize("reviews", ["remove", "keep"])
def test_after_erasure_no_table_holds_the_email_pseudonym_or_name(brand, moderator, reviews):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    assert rows_containing(member.email) != []  # the search finds what is there
    # when
    erase(member, reviews)
    # then
    for personal in (member.email, member.pseudonym, "Hortense Lenoir", "CMD-4242"):
        assert rows_containing(personal) == [], personal
    # and someone else's data is untouched
    assert rows_containing("bastien.roux@example.org") != []
    assert Invitation.objects.get(order_reference="CMD-7").name == "Bastien Roux"


def test_the_account_row_stays_stripped_and_cannot_log_in(client, brand, moderator):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    token = Token.objects.create(user=member.user)
    # when
    erase(member, "keep")
    # then
    user = User.objects.get(pk=member.user.pk)
    assert user.email == f"erased-{user.pk}@erased.invalid"
    with translation.override("en"):
        assert str(user.pseudonym) == "Former member"
    assert not user.has_usable_password()
    assert (user.is_active, user.is_staff, user.role) == (False, False, "customer")
    assert user.moderation_languages == []
    assert user.erased_at is not None
    assert not Token.objects.filter(key=token.key).exists()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 403
    assert not client.login(email=member.email, password="correct-horse-battery")


def test_erasure_strips_the_moderation_records_but_keeps_them(brand, moderator):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    # when
    erase(member, "keep")
    # then
    report = Report.objects.get(reporter=member.user)
    assert (report.notifier_name, report.notifier_email) == ("", "")
    submissions = Submission.objects.filter(author=member.user)
    assert submissions.count() == 2
    assert {(s.network_hash, s.device_hash, s.author_email_domain) for s in submissions} == {
        ("", "", "")
    }
    assert {(r.network_hash, r.device_hash) for r in Review.objects.filter(author=member.user)} == {
        ("", "")
    }
    invitation = Invitation.objects.get(pk=member.invitation.pk)
    assert (invitation.email, invitation.name) == ("", "")
    assert invitation.order_reference == f"purged-{invitation.pk}"
    assert invitation.status == Invitation.Status.OPTED_OUT


@pytest.mark.req("ISO-PRIV-1")
def test_the_erasure_is_audited_and_the_trail_holds_no_personal_data(brand, moderator):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    # when
    erase(member, "remove")
    # then
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_ERASED).get()
    assert event.actor_id == member.user.pk
    assert event.details["reviews"] == "remove"
    assert event.details["counts"]["reviews_withdrawn"] == 2
    assert event.details["counts"]["invitations_erased"] == 1
    trail = json.dumps(list(AuditEvent.objects.values()), default=str).lower()
    for personal in (member.email, member.pseudonym, "hortense lenoir", "cmd-4242", "bastien"):
        assert personal.lower() not in trail
    call_command("verify_audit_trail")


# WEB AND API
# ------------------------------------------------------------------------------


def test_the_web_form_erases_after_the_password_and_the_confirmation(client, brand, moderator):
    # given
    member = member_with_data(brand=brand, moderator=moderator)
    client.force_login(member.user)
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("erase-account"),
            {"reviews": "remove", "password": "correct-horse-battery", "confirm": "on"},
        )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert User.objects.get(pk=member.user.pk).erased_at is not None
    assert client.get(reverse("my-data")).status_code == 302  # logged out


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"reviews": "remove", "password": "wrong", "confirm": "on"}, "password"),
        ({"reviews": "remove", "password": "correct-horse-battery"}, "confirm"),
        ({"password": "correct-horse-battery", "confirm": "on"}, "reviews"),
        ({"reviews": "sell", "password": "correct-horse-battery", "confirm": "on"}, "reviews"),
    ],
)
def test_the_web_form_refuses_an_incomplete_request(client, customer, fields, error_field):
    # given
    client.force_login(customer)
    # when
    response = client.post(reverse("erase-account"), fields)
    # then
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [error_field]
    customer.refresh_from_db()
    assert customer.erased_at is None


def test_the_api_erases_with_the_password(client, customer):
    # given
    token = Token.objects.create(user=customer)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    # when
    response = client.post(
        "/api/v1/me/erase/",
        {"reviews": "keep", "password": "correct-horse-battery"},
        content_type="application/json",
        **auth,
    )
    # then
    assert response.status_code == 204
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert client.get("/api/v1/me/export/", **auth).status_code == 403  # token gone


@pytest.mark.parametrize(
    ("body", "error_field"),
    [
        ({"reviews": "keep", "password": "wrong"}, "password"),
        ({"reviews": "sell", "password": "correct-horse-battery"}, "reviews"),
        ({"password": "correct-horse-battery"}, "reviews"),
    ],
)
def test_the_api_refuses_a_bad_erasure_request(client, customer, body, error_field):
    # given
    client.force_login(customer)
    # when
    response = client.post("/api/v1/me/erase/", body, content_type="application/json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == [error_field]
    customer.refresh_from_db()
    assert customer.erased_at is None


def test_the_invitation_a_review_was_written_from_is_erased_too(brand, moderator):
    # given a review written from an invitation sent to another address of the member
    member = UserFactory(email="paul@example.org", pseudonym="Paulo")
    review = submit_and_decide(
        brand=brand, moderator=moderator, author=member, verification="invitation"
    )
    invitation = Invitation.objects.get(pk=review.invitation_id)
    assert invitation.email != member.email
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        erase_account(user_id=member.pk, actor=member, reviews="keep")
    # then
    invitation.refresh_from_db()
    assert (invitation.email, invitation.name) == ("", "")
    assert invitation.order_reference == f"purged-{invitation.pk}"


@pytest.mark.parametrize("taken", ["Former member", "former MEMBER"])
def test_nobody_signs_up_as_former_member(db, taken):
    # when
    with translation.override("en"):
        form = SignupForm(data={"pseudonym": taken})
        valid = form.is_valid()
        errors = [str(error) for error in form.errors["pseudonym"]]
    # then
    assert not valid
    assert errors == ["This pseudonym is reserved."]


def test_no_email_is_sent_to_an_erased_or_imported_account(db):
    # given: the placeholder addresses of an erased member and of an imported author
    from django.core import mail
    from django.core.mail import EmailMessage

    from accounts.models import SentEmail
    from config.emails import send_email_once

    for address in ("erased-7@erased.invalid", "ext-42@imported.invalid"):
        # when
        sent = send_email_once(EmailMessage("Objet", "Texte", to=[address]), key=address)
        # then: nothing sent, nothing recorded (a real address later would still get it)
        assert sent is False
    assert mail.outbox == []
    assert not SentEmail.objects.exists()
