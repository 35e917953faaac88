"""Reviews written from a brand's invitation: verified, dated on the purchase, one per
invitation, moderated like every review (FR-17, ISO-COL-5, FTC-2)."""

import ast
import datetime
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from rest_framework.test import APIClient

from audit.models import AuditEvent
from brands.invitations import (
    cancel_invitation,
    list_due_invitation_ids,
    make_opt_out_token,
    opt_out_of_invitation,
)
from brands.models import Invitation
from brands.tasks import send_due_invitations_task
from config.errors import ApplicationError, ConflictError, NotFoundError
from moderation.models import Submission
from reviews.models import Review
from reviews.selectors import get_invitation_share
from tests.brands.invitations_support import days_ago, invite, sent_invitation
from tests.factories import BrandFactory, MembershipFactory, UserFactory
from tests.reviews.conftest import CLEAN_TEXT
from tests.reviews.publishing import submit_and_decide

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def invitation(brand, place, brand_owner):
    return sent_invitation(brand, brand_owner, place=place.slug, purchase_date=days_ago(10))


@pytest.fixture
def invited_input(review_input):
    """The customer's part of an invited review: no date, no place (the invitation's)."""
    return {
        key: value for key, value in review_input.items() if key not in ("experience_date", "place")
    } | {"experience_date": days_ago(1)}


@pytest.mark.req("FR-17", "ISO-COL-9")
def test_a_review_from_an_invitation_is_verified_and_dated_on_the_purchase(
    customer, invitation, invited_input, place, submit
):
    # given: the customer's account address is not the invited one (people have several)
    assert customer.email != invitation.email
    # when
    review = submit(customer, **invited_input, invitation=invitation)
    # then
    review.refresh_from_db()
    assert (review.verification, review.invitation, review.experience_date, review.place) == (
        Review.Verification.INVITATION,
        invitation,
        days_ago(10),
        place,
    )
    assert review.is_verified
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVIEWED
    assert invitation.reviewed_at == review.submitted_at
    used = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_USED)
    assert (used.actor, used.object_id, used.from_status, used.to_status, used.details) == (
        customer,
        str(invitation.pk),
        "sent",
        "reviewed",
        {"brand_id": invitation.brand_id, "review_id": review.pk},
    )
    submitted = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW_SUBMITTED)
    assert submitted.details["invitation_id"] == invitation.pk
    assert submitted.details["experience_date"] == days_ago(10).isoformat()


@pytest.mark.req("ISO-COL-5")
def test_no_reminder_after_a_review(customer, invitation, invited_input, submit, settings):
    # given
    submit(customer, **invited_input, invitation=invitation)
    mail.outbox.clear()
    # when: the reminder's time comes
    with time_machine.travel(
        invitation.sent_at + settings.INVITATION_REMINDER_AFTER + datetime.timedelta(hours=1),
        tick=False,
    ):
        assert list_due_invitation_ids() == []
        send_due_invitations_task.delay()
    # then
    assert [m for m in mail.outbox if m.to == [invitation.email]] == []


def test_one_review_per_invitation(customer, invitation, invited_input, submit):
    # given
    submit(customer, **invited_input, invitation=invitation)
    # when: the same customer (after withdrawing) or someone else uses the link again
    with pytest.raises(ConflictError) as refused:
        submit(UserFactory(), **invited_input, invitation=invitation)
    # then
    assert (refused.value.code, refused.value.status_code) == ("invitation_used", 409)
    assert Review.objects.count() == 1


def test_the_database_keeps_one_review_per_invitation(customer, invitation, invited_input, submit):
    # given: a review from the invitation, and its status wrongly reopened
    submit(customer, **invited_input, invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.SENT)
    # when
    with pytest.raises(ConflictError) as refused:
        submit(UserFactory(), **invited_input, invitation=invitation)
    # then: the one-to-one constraint refused it
    assert refused.value.code == "invitation_used"
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    ("closing", "error", "code"),
    [
        ("expired", ApplicationError, "invitation_expired"),
        ("cancelled", ApplicationError, "invitation_closed"),
        ("opted_out", ApplicationError, "invitation_closed"),
        ("never_sent", NotFoundError, "invitation_invalid"),
    ],
)
def test_a_closed_invitation_writes_no_review(
    customer, brand, brand_owner, invited_input, submit, settings, closing, error, code
):
    # given
    if closing == "never_sent":
        invitation = invite(brand, brand_owner)
    else:
        invitation = sent_invitation(brand, brand_owner)
    if closing == "cancelled":
        cancel_invitation(brand=brand, invitation_id=invitation.pk, actor=brand_owner)
    elif closing == "opted_out":
        opt_out_of_invitation(token=make_opt_out_token(invitation=invitation), whole_brand=False)
    moment = timezone.now()
    if closing == "expired":
        moment = (
            invitation.sent_at + settings.INVITATION_LINK_MAX_AGE + datetime.timedelta(seconds=1)
        )
    # when
    with time_machine.travel(moment, tick=False), pytest.raises(error) as refused:
        submit(customer, **invited_input, invitation=invitation)
    # then
    assert refused.value.code == code
    assert not Review.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_USED).exists()


def test_an_invitation_of_another_brand_is_refused(customer, invitation, invited_input, submit):
    other = BrandFactory()
    with pytest.raises(ApplicationError) as refused:
        submit(customer, **{**invited_input, "brand": other}, invitation=invitation)
    assert refused.value.code == "invitation_other_brand"
    assert not Review.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_a_brand_member_cannot_use_an_invitation_of_the_brand(
    brand, invitation, invited_input, submit
):
    agent = MembershipFactory(brand=brand, role="agent").user
    with pytest.raises(ApplicationError) as refused:
        submit(agent, **invited_input, invitation=invitation)
    assert refused.value.code == "conflict_of_interest"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


@pytest.mark.req("FR-17")
def test_no_review_is_verified_by_invitation_without_one(customer, review_input, submit):
    # when: a caller asks for the badge without an invitation
    with pytest.raises(ApplicationError) as refused:
        submit(customer, **review_input, verification=Review.Verification.INVITATION)
    # then
    assert refused.value.code == "verification_refused"
    assert not Review.objects.exists()


@pytest.mark.req("FR-17")
def test_the_web_form_cannot_ask_for_the_badge(
    client, customer, brand, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    data = {
        "channel": "website",
        "rating": "5",
        "title": "Parfait",
        "text": CLEAN_TEXT,
        "experience_date": days_ago(1).isoformat(),
        "attested": "on",
        "verification": "invitation",
        "invitation": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:write", args=[brand.slug]), data)
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.verification, review.invitation) == (Review.Verification.SELF_DECLARED, None)


@pytest.mark.req("FR-17")
def test_only_submit_review_and_the_import_write_the_invitation_badge():
    """Every place in the code that sets a review's verification to "invitation": submit_review
    (from an invitation) and import_reviews (a provider's own invitation). A new one must be
    checked against FR-17 and added here."""
    writers = set()
    for module in ("accounts", "audit", "brands", "moderation", "reviews", "config"):
        for path in (ROOT / module).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                pairs = []
                if isinstance(node, ast.keyword) and node.arg == "verification":
                    pairs.append(node.value)
                elif isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names = {getattr(t, "attr", getattr(t, "id", "")) for t in targets}
                    if "verification" in names and node.value is not None:
                        pairs.append(node.value)
                for value in pairs:
                    if any(
                        (isinstance(n, ast.Attribute) and n.attr == "INVITATION")
                        or (isinstance(n, ast.Constant) and n.value == "invitation")
                        for n in ast.walk(value)
                    ):
                        writers.add(str(path.relative_to(ROOT)))
    assert writers == {"reviews/services.py", "reviews/importing.py"}


@pytest.mark.req("NF-MOD-3")
def test_an_invited_review_goes_through_the_same_moderation(
    customer, invitation, invited_input, submit
):
    # when: an invited review with an insult
    review = submit(
        customer,
        **{
            **invited_input,
            "text": "Le boulanger est un gros connard qui parle mal à tous ses clients le matin.",
        },
        invitation=invitation,
    )
    # then: the engine received it and rejected it under the same rule as any review
    review.refresh_from_db()
    assert Submission.objects.get(kind="review", object_id=str(review.pk)).state == "decided"
    assert (review.status, review.rule_code, review.verification) == (
        "rejected",
        "insult",
        "invitation",
    )


def test_a_clean_invited_review_is_published_with_its_badge(
    client, customer, invitation, invited_input, submit
):
    # when
    review = submit(customer, **invited_input, invitation=invitation)
    # then
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    page = client.get(reverse("brand-detail", args=[review.brand.slug])).content.decode()
    with translation.override("fr"):
        badge = capfirst(str(Review.Verification.INVITATION.label))
    assert f'<li class="badge badge-verified">{badge}</li>' in page


# THE INVITATION'S LINK
# ------------------------------------------------------------------------------


def test_the_link_shows_the_invitation_and_asks_to_log_in(client, invitation):
    # when
    response = client.get(f"/avis/invitation/{invitation.token}/")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "CMD-1042" in page
    assert f"/compte/login/?next=/avis/invitation/{invitation.token}/" in page
    assert "form" not in response.context or response.context.get("form") is None


def test_the_link_opens_the_form_without_date_or_place(client, customer, invitation):
    client.force_login(customer)
    response = client.get(f"/avis/invitation/{invitation.token}/")
    assert response.status_code == 200
    form = response.context["form"]
    assert "experience_date" not in form.fields
    assert "place" not in form.fields
    assert "channel" in form.fields
    assert days_ago(10).strftime("%Y-%m-%d") in response.content.decode()


def test_a_review_written_from_the_link(
    client, customer, invitation, django_capture_on_commit_callbacks
):
    # given
    customer.language = "en"  # the assertions read the English messages
    customer.save(update_fields=["language"])
    client.force_login(customer)
    data = {
        "channel": "in_store",
        "rating": "4",
        "title": "Très bien",
        "text": CLEAN_TEXT,
        "attested": "on",
        "experience_date": days_ago(1).isoformat(),  # ignored: the purchase's date counts
    }
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/avis/invitation/{invitation.token}/", data)
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:mine")
    review = Review.objects.get()
    assert (review.invitation, review.experience_date, review.verification) == (
        invitation,
        days_ago(10),
        "invitation",
    )
    # and the link cannot be used again: 409
    again = client.post(f"/avis/invitation/{invitation.token}/", data)
    assert again.status_code == 409
    assert "one review per invitation" in again.content.decode()
    assert Review.objects.count() == 1


def test_the_form_says_what_is_missing(client, customer, invitation):
    client.force_login(customer)
    response = client.post(f"/avis/invitation/{invitation.token}/", {"rating": "4"})
    assert response.status_code == 400
    assert response.context["form"].errors["attested"]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_an_unknown_or_expired_link_says_so(client, invitation, settings):
    assert client.get("/avis/invitation/not-a-token/").status_code == 404
    with time_machine.travel(
        invitation.sent_at + settings.INVITATION_LINK_MAX_AGE + datetime.timedelta(minutes=1)
    ):
        expired = client.get(f"/avis/invitation/{invitation.token}/")
    assert expired.status_code == 410
    assert reverse("reviews:write", args=[invitation.brand.slug]) in expired.content.decode()


def test_an_unverified_account_cannot_write_from_the_link(client, unverified_user, invitation):
    client.force_login(unverified_user)
    data = {
        "channel": "in_store",
        "rating": "4",
        "title": "Bien",
        "text": CLEAN_TEXT,
        "attested": "on",
    }
    response = client.post(f"/avis/invitation/{invitation.token}/", data)
    assert response.status_code == 400
    assert not Review.objects.exists()


# INVITED AND SPONTANEOUS: THE SHARE AND THE GAP
# ------------------------------------------------------------------------------


def _invited_review(brand, owner, moderator, n, rating):
    invitation = sent_invitation(
        brand, owner, order_reference=f"CMD-{n}", email=f"c{n}@example.net"
    )
    return submit_and_decide(brand=brand, moderator=moderator, rating=rating, invitation=invitation)


@pytest.mark.req("FTC-2")
def test_the_share_of_invited_reviews_and_the_rating_gap(brand, brand_owner, moderator, settings):
    # given: invited reviews rated 5, 5, 4; spontaneous ones 2, 3
    settings.INVITATION_GAP_MIN_REVIEWS = 2
    for n, rating in enumerate((5, 5, 4)):
        assert _invited_review(brand, brand_owner, moderator, n, rating).status == "published"
    for rating in (2, 3):
        assert (
            submit_and_decide(brand=brand, moderator=moderator, rating=rating).status == "published"
        )
    # when
    share = get_invitation_share(brand_id=brand.pk)
    # then
    assert (share.invited, share.spontaneous, share.total) == (3, 2, 5)
    assert (str(share.invited_share), str(share.invited_mean), str(share.spontaneous_mean)) == (
        "60.0",
        "4.7",
        "2.5",
    )
    assert str(share.gap) == "2.2"
    assert share.gap_alert
    settings.INVITATION_GAP_MIN_REVIEWS = 3
    assert not get_invitation_share(brand_id=brand.pk).gap_alert  # too few spontaneous reviews


def test_no_gap_without_both_kinds(brand):
    share = get_invitation_share(brand_id=brand.pk)
    assert (share.invited, share.spontaneous, share.invited_share, share.gap, share.gap_alert) == (
        0,
        0,
        None,
        None,
        False,
    )


def test_unpublished_reviews_do_not_count(brand, brand_owner, customer, invited_input, submit):
    invitation = sent_invitation(brand, brand_owner)
    submit(
        customer,
        **{**invited_input, "text": "Le boulanger est un gros connard qui parle mal à tous."},
        invitation=invitation,
    )
    assert get_invitation_share(brand_id=brand.pk).invited == 0


def test_the_brand_sees_the_share_and_the_alert(client, brand, brand_owner, moderator, settings):
    # given
    settings.INVITATION_GAP_MIN_REVIEWS = 1
    _invited_review(brand, brand_owner, moderator, 1, 5)
    submit_and_decide(brand=brand, moderator=moderator, rating=2)
    brand_owner.language = "en"  # the assertions read the English messages
    brand_owner.save(update_fields=["language"])
    client.force_login(brand_owner)
    # when
    response = client.get(f"/marques/{brand.slug}/invitations/")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["share"].invited == 1
    assert response.context["counts"]["reviewed"] == 1
    assert 'class="message warning gap-alert"' in page
    # the list does not say which invited customer wrote a review
    assert "c1@example.net" in page
    assert "Closed: the customer reviewed or declined" in page


# Through the API: the same invitation, its token in the request (POST /api/v1/reviews/).


def api_review(invitation, **extra):
    return {
        "invitation_token": invitation.token,
        "channel": "in_store",
        "rating": 4,
        "title": "Très bien",
        "text": CLEAN_TEXT,
        "attested": True,
        **extra,
    }


@pytest.mark.req("FR-17")
def test_a_review_from_an_invitation_through_the_api(
    customer, invitation, place, django_capture_on_commit_callbacks
):
    # given
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(customer)
    # when: no brand, no date: the invitation's; a date sent anyway is ignored
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api-reviews"),
            api_review(invitation, experience_date=days_ago(1).isoformat()),
            format="json",
        )
    # then
    assert response.status_code == 201, response.json()
    review = Review.objects.get()
    assert (
        review.brand,
        review.place,
        review.experience_date,
        review.verification,
        review.invitation,
    ) == (invitation.brand, place, days_ago(10), "invitation", invitation)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVIEWED
    # when: the token again
    again = api.post(reverse("api-reviews"), api_review(invitation), format="json")
    # then: one review per invitation
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_used"
    assert Review.objects.count() == 1


def test_the_api_refuses_a_bad_token_or_another_brand(customer, invitation):
    # given
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(customer)
    other = BrandFactory()
    # when / then: an unknown token
    response = api.post(
        reverse("api-reviews"), api_review(invitation, invitation_token="nope"), format="json"
    )
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "This invitation link is not valid."},
    )
    # when / then: the token of another brand's invitation
    response = api.post(
        reverse("api-reviews"), api_review(invitation, brand=other.slug), format="json"
    )
    assert response.status_code == 400
    # when / then: without a token, brand and date are required as before
    response = api.post(
        reverse("api-reviews"),
        {key: value for key, value in api_review(invitation).items() if key != "invitation_token"},
        format="json",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"brand": ["This field is required."], "experience_date": ["This field is required."]},
    )
    # then: nothing stored, the invitation still open
    assert not Review.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
