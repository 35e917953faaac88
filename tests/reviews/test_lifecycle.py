import pytest
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from config.errors import ConflictError, NotFoundError, PermissionDeniedError
from reviews.models import ImmutableReviewError, Review
from reviews.services import vote_review_helpful, withdraw_review
from tests.factories import UserFactory


@pytest.fixture
def published(customer, review_input, submit):
    review = submit(customer, **review_input)
    review.refresh_from_db()
    assert review.status == "published"
    return review


@pytest.mark.req("NF-MOD-5", "FR-18")
@pytest.mark.parametrize(
    ("field", "value"), [("text", "Autre texte"), ("rating", 1), ("title", "Autre titre")]
)
def test_a_reviews_content_never_changes(published, field, value):
    # when / then: through the model
    setattr(published, field, value)
    with pytest.raises(ImmutableReviewError):
        published.save()
    # and through a queryset update
    with pytest.raises(ImmutableReviewError):
        Review.objects.filter(pk=published.pk).update(**{field: value})
    assert getattr(Review.objects.get(pk=published.pk), field) != value


@pytest.mark.req("NF-MOD-5")
@pytest.mark.postgres
def test_the_database_refuses_to_change_a_reviews_content(published):
    with (
        pytest.raises(Exception, match="Cannot update"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE reviews_review SET rating = 1 WHERE id = %s", [published.pk])


@pytest.mark.postgres
def test_the_database_refuses_to_delete_a_review(published):
    with (
        pytest.raises(Exception, match="Cannot delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM reviews_review WHERE id = %s", [published.pk])


@pytest.mark.req("NF-MOD-5", "NF-MOD-6")
def test_there_is_no_edit_endpoint(published):
    from django.urls import get_resolver

    names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
    assert not [n for n in names if "edit" in n or "update" in n]
    api = APIClient()
    api.force_authenticate(published.author)
    for method in ("put", "patch"):
        response = getattr(api, method)(reverse("api-reviews"), {"text": "x"}, format="json")
        assert response.status_code == 405


@pytest.mark.req("NF-MOD-6", "ISO-MOD-5")
def test_the_author_withdraws_a_published_review_and_it_leaves_public_lists(published, client):
    # given
    api = APIClient()
    api.force_authenticate(published.author)
    assert len(client.get(reverse("api-reviews")).json()["results"]) == 1
    # when
    response = api.post(reverse("api-review-withdraw", args=[published.pk]))
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert client.get(reverse("api-reviews")).json()["results"] == []
    event = AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW_STATUS_CHANGED).last()
    assert (event.from_status, event.to_status, event.actor_id) == (
        "published",
        "withdrawn",
        published.author_id,
    )


def test_only_the_author_withdraws(published):
    with pytest.raises(PermissionDeniedError):
        withdraw_review(review_id=published.pk, author=UserFactory())
    assert Review.objects.get(pk=published.pk).status == "published"


def test_withdrawing_twice_is_refused(published):
    withdraw_review(review_id=published.pk, author=published.author)
    with pytest.raises(ConflictError):
        withdraw_review(review_id=published.pk, author=published.author)


def test_withdraw_by_web(client, published):
    client.force_login(published.author)
    response = client.post(reverse("reviews:withdraw", args=[published.pk]))
    assert response.status_code == 302
    assert Review.objects.get(pk=published.pk).status == "withdrawn"


@pytest.mark.req("EU-5", "FTC-9")
def test_helpful_vote_once_per_account(published):
    # given
    voter = UserFactory()
    # when
    review = vote_review_helpful(review_id=published.pk, user=voter)
    # then
    assert review.helpful_count == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.REVIEW_VOTED_HELPFUL, actor=voter
        ).count()
        == 1
    )
    with pytest.raises(ConflictError) as error:
        vote_review_helpful(review_id=published.pk, user=voter)
    assert error.value.code == "already_voted"
    assert Review.objects.get(pk=published.pk).helpful_count == 1


@pytest.mark.req("EU-5")
def test_no_helpful_vote_on_ones_own_review(published):
    with pytest.raises(PermissionDeniedError):
        vote_review_helpful(review_id=published.pk, user=published.author)


def test_helpful_votes_need_a_verified_account(published, unverified_user):
    with pytest.raises(PermissionDeniedError):
        vote_review_helpful(review_id=published.pk, user=unverified_user)


def test_no_helpful_vote_on_unpublished_reviews(customer, review_input):
    from reviews.services import submit_review

    review = submit_review(author=customer, **review_input)
    with pytest.raises(NotFoundError):
        vote_review_helpful(review_id=review.pk, user=UserFactory())


def test_helpful_vote_by_api(published):
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post(reverse("api-review-helpful", args=[published.pk]))
    assert (response.status_code, response.json()) == (201, {"helpful_count": 1})
    assert APIClient().post(reverse("api-review-helpful", args=[published.pk])).status_code in (
        401,
        403,
    )


@pytest.mark.req("NF-COL-2", "ISO-PRIV-1")
def test_public_api_shows_the_pseudonym_and_no_personal_data(published, client):
    body = client.get(reverse("api-reviews")).content.decode()
    assert published.author.pseudonym in body
    assert published.author.email not in body
    assert "network_hash" not in body
    assert "device_hash" not in body


def test_my_reviews_api_shows_status_rule_and_dates(published):
    api = APIClient()
    api.force_authenticate(published.author)
    mine = api.get(reverse("api-my-reviews")).json()["results"]
    assert [(r["status"], r["decided_by"], r["rule_code"]) for r in mine] == [
        ("published", "pipeline", "")
    ]
    assert mine[0]["decision_due_by"]
    assert mine[0]["submitted_at"]
    assert mine[0]["decided_at"]


def test_my_reviews_shows_only_mine(published):
    api = APIClient()
    api.force_authenticate(UserFactory())
    assert api.get(reverse("api-my-reviews")).json()["results"] == []


def test_my_reviews_page(client, published):
    client.force_login(published.author)
    html = client.get(reverse("reviews:mine")).content.decode()
    assert published.title in html
    assert "Publié" in html


def test_published_list_query_count_is_constant(
    client, published, review_input, submit, django_assert_num_queries
):
    texts = [
        "Baguette bien cuite, vendeuse souriante, file d'attente courte ce matin.",
        "Les éclairs au café sont excellents ; un peu cher mais la qualité suit.",
        "Commande de gâteau d'anniversaire prête à l'heure et joliment décorée.",
        "Pain de campagne savoureux qui se garde trois jours sans rassir.",
    ]
    for n, text in enumerate(texts):
        submit(UserFactory(), **{**review_input, "text": text, "client_ip": f"192.0.2{n}.1"})
    with django_assert_num_queries(1):
        response = client.get(reverse("api-reviews"))
    assert len(response.json()["results"]) == 5
