import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from config.errors import ApplicationError, ConflictError, PermissionDeniedError
from moderation.models import Submission
from reviews.models import Review
from reviews.services import content_hash, submit_review
from tests.factories import BrandFactory, PlaceFactory, UserFactory
from tests.reviews.conftest import CLEAN_TEXT


def test_a_clean_review_is_stored_submitted_then_published_by_the_pipeline(
    customer, review_input, submit, mailoutbox
):
    # when
    review = submit(customer, **review_input)
    # then: stored as submitted, handed to the engine in the same transaction
    submitted = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW_SUBMITTED)
    assert (submitted.actor_id, submitted.to_status) == (customer.pk, "submitted")
    assert submitted.details["content_sha256"] == content_hash(
        rating=4, title="Très bonne boulangerie", text=CLEAN_TEXT
    )
    assert Submission.objects.get(kind="review", object_id=str(review.pk)).state == "decided"
    # and the pipeline published it
    review.refresh_from_db()
    assert (review.status, review.rule_code, review.decided_by_moderator) == (
        "published",
        "",
        False,
    )
    assert review.published_at is not None
    change = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW_STATUS_CHANGED)
    assert (change.from_status, change.to_status, change.actor_id) == (
        "submitted",
        "published",
        None,
    )
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert "publié" in mailoutbox[0].subject


@pytest.mark.req("NF-MOD-2")
def test_a_review_is_not_public_before_a_decision(customer, review_input, client):
    # given: submitted, the after-commit pipeline not run yet
    review = submit_review(author=customer, **review_input)
    # when
    listing = client.get(reverse("api-reviews")).json()
    # then
    assert review.status == "submitted"
    assert listing["results"] == []


@pytest.mark.req("NF-COL-3")
def test_unverified_authors_cannot_submit(unverified_user, review_input):
    with pytest.raises(PermissionDeniedError) as error:
        submit_review(author=unverified_user, **review_input)
    assert error.value.code == "email_not_verified"
    assert not Review.objects.exists()


@pytest.mark.req("NF-COL-4")
def test_the_attestation_is_required(customer, review_input):
    with pytest.raises(ApplicationError) as error:
        submit_review(author=customer, **{**review_input, "attested": False})
    assert (error.value.field, error.value.code) == ("attested", "not_attested")
    assert not Review.objects.exists()


@pytest.mark.req("FR-7", "FR-6")
@pytest.mark.parametrize(("days_ago", "code"), [(-1, "future"), (366, "too_old")])
def test_the_experience_date_is_in_the_stated_window(customer, review_input, days_ago, code):
    when = timezone.localdate() - datetime.timedelta(days=days_ago)
    with pytest.raises(ApplicationError) as error:
        submit_review(author=customer, **{**review_input, "experience_date": when})
    assert (error.value.field, error.value.code) == ("experience_date", code)
    assert not Review.objects.exists()


@pytest.mark.req("FTC-3")
@pytest.mark.parametrize("role", ["owner", "manager", "agent"])
def test_brand_members_cannot_review_their_brand(brand, review_input, role):
    from tests.factories import MembershipFactory

    member = MembershipFactory(brand=brand, role=role).user
    with pytest.raises(PermissionDeniedError) as error:
        submit_review(author=member, **review_input)
    assert error.value.code == "conflict_of_interest"
    assert not Review.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW_SUBMITTED).exists()


def test_one_live_review_per_author_brand_and_place(customer, review_input, submit):
    submit(customer, **review_input)
    with pytest.raises(ConflictError) as error:
        submit_review(author=customer, **review_input)
    assert error.value.code == "already_reviewed"
    assert Review.objects.count() == 1


def test_a_withdrawn_review_does_not_block_a_new_one(customer, review_input, submit):
    from reviews.services import withdraw_review

    first = submit(customer, **review_input)
    withdraw_review(review_id=first.pk, author=customer)
    second = submit(customer, **review_input)
    assert second.pk != first.pk


def test_another_place_of_the_same_brand_can_be_reviewed(customer, review_input, submit, brand):
    submit(customer, **review_input)
    other = PlaceFactory(brand=brand)
    submit(customer, **{**review_input, "place": other})
    assert Review.objects.count() == 2


def test_a_place_must_belong_to_the_brand(customer, review_input):
    with pytest.raises(ApplicationError) as error:
        submit_review(author=customer, **{**review_input, "place": PlaceFactory()})
    assert error.value.field == "place"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "Trop court"),
        ("text", "x" * 5001),
        ("title", ""),
        ("title", "t" * 121),
        ("text", "Texte avec un caractère de contrôle \x07 au milieu, refusé."),
        ("text", "Texte avec une direction forcée \u202e au milieu, refusé aussi."),
        ("rating", 6),
        ("rating", 0),
        ("channel", "telepathy"),
        ("recommend_score", 11),
    ],
)
def test_bad_content_gets_a_field_error_and_stores_nothing(customer, review_input, field, value):
    with pytest.raises(ApplicationError) as error:
        submit_review(author=customer, **{**review_input, field: value})
    assert error.value.field == field
    assert not Review.objects.exists()
    assert not Submission.objects.exists()


def test_text_is_normalised_to_nfc(customer, review_input):
    decomposed = "Cafe\u0301 excellent et personnel tre\u0300s agréable, je recommande."
    review = submit_review(author=customer, **{**review_input, "text": decomposed})
    assert review.text == "Café excellent et personnel très agréable, je recommande."


def test_an_incentive_must_be_described(customer, review_input):
    with pytest.raises(ApplicationError) as error:
        submit_review(author=customer, **{**review_input, "incentive_received": True})
    assert error.value.field == "incentive_description"


def test_the_language_is_detected_when_not_given(customer, review_input):
    english = (
        "Friendly staff, warm bread and crunchy croissants. I go back every Saturday "
        "morning with pleasure."
    )
    review = submit_review(author=customer, **{**review_input, "language": "", "text": english})
    assert review.language == "en"


def test_a_short_text_keeps_the_authors_language(customer, review_input):
    text = "Top service, merci ! Rien à redire."
    review = submit_review(author=customer, **{**review_input, "language": "", "text": text})
    assert review.language == "fr"


def test_per_account_rate_limit(customer, settings, review_input, submit):
    settings.REVIEW_RATE_LIMIT_ACCOUNT = (2, datetime.timedelta(days=1))
    for _ in range(2):
        submit(customer, **{**review_input, "brand": BrandFactory(), "place": None})
    with pytest.raises(ApplicationError) as error:
        submit_review(author=customer, **{**review_input, "brand": BrandFactory(), "place": None})
    assert (error.value.status_code, error.value.code) == (429, "rate_limited_account")


def test_per_network_rate_limit(settings, review_input, submit):
    settings.REVIEW_RATE_LIMIT_NETWORK = (2, datetime.timedelta(days=1))
    for _ in range(2):
        submit(UserFactory(), **{**review_input, "client_ip": "198.51.100.10"})
    with pytest.raises(ApplicationError) as error:
        submit_review(author=UserFactory(), **{**review_input, "client_ip": "198.51.100.99"})
    assert error.value.code == "rate_limited_network"


def test_network_and_device_are_kept_only_as_keyed_hashes(customer, review_input):
    review = submit_review(author=customer, **review_input)
    assert len(review.network_hash) == 64
    assert "203.0.113" not in review.network_hash
    same_24 = submit_review(author=UserFactory(), **{**review_input, "client_ip": "203.0.113.99"})
    assert same_24.network_hash == review.network_hash
    assert review.device_hash
    assert review.device_hash != review.network_hash


# The API


@pytest.fixture
def api():
    return APIClient()


def _payload(brand_, place, **overrides):
    return {
        "brand": brand_.slug,
        "place": place.pk,
        "channel": "in_store",
        "rating": 5,
        "title": "Parfait",
        "text": CLEAN_TEXT,
        "experience_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "attested": True,
        **overrides,
    }


def test_submit_by_api_tells_when_the_decision_is_due(
    api, customer, brand, place, django_capture_on_commit_callbacks
):
    # given
    api.force_authenticate(customer)
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(reverse("api-reviews"), _payload(brand, place), format="json")
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    submitted = datetime.datetime.fromisoformat(body["submitted_at"])
    due = datetime.datetime.fromisoformat(body["decision_due_by"])
    assert due - submitted == datetime.timedelta(days=7)
    # after commit: the moderation task enqueued, and the brand's pages marked as changed
    # (their "received" count)
    assert [getattr(c, "func", c).__qualname__ for c in callbacks] == [
        "touch_brand_page.<locals>.<lambda>",
        "Task.delay",
    ]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"rating": 9}, "rating"),
        ({"experience_date": "2999-01-01"}, "experience_date"),
        ({"attested": False}, "attested"),
        ({"brand": "nope"}, "brand"),
        ({"text": "court"}, "text"),
        ({"channel": "x"}, "channel"),
    ],
)
def test_bad_api_input_gets_a_field_error(api, customer, brand, place, override, field):
    api.force_authenticate(customer)
    response = api.post(reverse("api-reviews"), _payload(brand, place, **override), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Review.objects.exists()


def test_bad_api_input_errors_are_in_french_by_default(api, customer, brand, place):
    api.force_authenticate(customer)
    response = api.post(
        reverse("api-reviews"), _payload(brand, place, attested=False), format="json"
    )
    assert response.json()["attested"] == [
        "Veuillez confirmer que cet avis reflète votre propre expérience."
    ]


def test_anonymous_cannot_submit(api, brand, place):
    response = api.post(reverse("api-reviews"), _payload(brand, place), format="json")
    assert response.status_code in (401, 403)
    assert not Review.objects.exists()


def test_submit_by_web_form(client, customer, brand, place, django_capture_on_commit_callbacks):
    client.force_login(customer)
    data = {
        "channel": "in_store",
        "rating": "4",
        "title": "Bien",
        "text": CLEAN_TEXT,
        "experience_date": timezone.localdate().isoformat(),
        "attested": "on",
        "place": place.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:write", args=[brand.slug]), data)
    assert response.status_code == 302
    assert Review.objects.get().status == "published"


def test_web_form_without_attestation_shows_the_error(client, customer, brand):
    client.force_login(customer)
    data = {
        "channel": "in_store",
        "rating": "4",
        "title": "Bien",
        "text": CLEAN_TEXT,
        "experience_date": timezone.localdate().isoformat(),
    }
    response = client.post(reverse("reviews:write", args=[brand.slug]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["attested"]
    assert not Review.objects.exists()


@pytest.mark.req("FR-4", "NF-MOD-7", "ISO-MOD-4", "DSA-9")
def test_a_rejected_author_is_told_the_rule_and_how_to_contest(
    customer, review_input, submit, mailoutbox
):
    # when
    review = submit(
        customer,
        **{
            **review_input,
            "text": "Le boulanger est un gros connard qui parle mal à tous ses clients le matin.",
        },
    )
    # then
    review.refresh_from_db()
    assert (review.status, review.rule_code) == ("rejected", "insult")
    [email] = mailoutbox
    assert email.to == [customer.email]
    assert email.subject == "Votre avis sur Boulangerie Dupain n'a pas été publié"
    assert "Insultes et grossièretés (insult)" in email.body
    assert f"/avis/{review.pk}/contester/" in email.body  # the appeal form (DSA-17)
    assert "Cette décision a été prise par nos vérifications automatiques" in email.body
    assert "/charte/" in email.body


def test_the_decision_email_is_sent_once_per_decision(customer, review_input, submit, mailoutbox):
    from reviews.tasks import notify_review_decision_task

    review = submit(customer, **review_input)
    review.refresh_from_db()
    notify_review_decision_task(review_id=review.pk, decision_id=review.decision_id)
    assert len(mailoutbox) == 1
