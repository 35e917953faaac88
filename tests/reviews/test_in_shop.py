"""In the shop: the poster and its QR code, the in-store review form, the shop screen."""

import pytest
import segno
from django.core.cache import cache
from django.urls import reverse

from reviews.in_shop_views import qr_code_svg
from reviews.models import Review
from tests.brands.invitations_support import ROLES, days_ago, make_actor
from tests.factories import PlaceFactory, UserFactory
from tests.reviews.conftest import CLEAN_TEXT
from tests.reviews.publishing import submit_and_decide

pytestmark = pytest.mark.django_db


def in_store_url(brand, place) -> str:
    return f"http://127.0.0.1:8000/avis/ecrire/{brand.slug}/magasin/{place.slug}/"


# THE POSTER
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_members_of_the_brand_print_its_posters(client, brand, place, role):
    # given
    actor = make_actor(role, brand)
    if actor is not None:
        client.force_login(actor)
    # when
    response = client.get(f"/marques/{brand.slug}/{place.slug}/affiche/")
    # then: owners, managers and agents (shop staff) print it; nobody else
    expected = {"anonymous": 302, "owner": 200, "manager": 200, "agent": 200}.get(role, 403)
    assert response.status_code == expected


def test_the_poster_has_a_qr_code_of_the_place_in_store_form(client, brand, place, brand_agent):
    # given
    client.force_login(brand_agent)
    # when
    response = client.get(f"/marques/{brand.slug}/{place.slug}/affiche/")
    # then: the SVG is the QR code of exactly this address (segno encodes deterministically)
    html = response.content.decode()
    url = in_store_url(brand, place)
    expected = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title="x")
    path = expected[expected.index("<path") :]
    assert '<svg role="img" viewBox=' in html
    assert path in html
    assert url in html  # printed under the code too
    assert response.context["url"] == url
    assert "/static/css/poster.css" in html  # its print stylesheet


def test_the_qr_code_svg_is_accessible_and_scalable():
    svg = qr_code_svg("http://127.0.0.1:8000/avis/", title="Code QR")
    assert svg.startswith('<svg role="img" viewBox="0 0 ')
    assert "<title>Code QR</title>" in svg
    assert "width=" not in svg.split(">")[0]  # sized by the stylesheet


def test_an_unknown_place_has_no_poster(client, brand, brand_owner):
    client.force_login(brand_owner)
    other_place = PlaceFactory()  # of another brand
    assert client.get(f"/marques/{brand.slug}/{other_place.slug}/affiche/").status_code == 404
    assert client.get(f"/marques/{brand.slug}/nulle-part/ecran/").status_code == 404


# THE IN-STORE FORM
# ------------------------------------------------------------------------------


def test_a_review_from_the_qr_code_records_the_place_and_the_in_store_channel(
    client, customer, brand, place, django_capture_on_commit_callbacks
):
    # given
    client.force_login(customer)
    url = reverse("reviews:write-in-store", args=[brand.slug, place.slug])
    form = client.get(url).context["form"]
    assert "place" not in form.fields
    assert "channel" not in form.fields
    # when: even a forged channel or place in the POST changes nothing
    other = PlaceFactory(brand=brand)
    data = {
        "rating": "5",
        "title": "Super accueil",
        "text": CLEAN_TEXT,
        "experience_date": days_ago(0).isoformat(),
        "attested": "on",
        "channel": "website",
        "place": str(other.pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    # then
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.place, review.channel, review.verification) == (
        place,
        Review.Channel.IN_STORE,
        Review.Verification.SELF_DECLARED,
    )


def test_the_in_store_form_needs_an_account(client, brand, place):
    response = client.get(reverse("reviews:write-in-store", args=[brand.slug, place.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/?next=")


# THE SHOP SCREEN
# ------------------------------------------------------------------------------


@pytest.fixture
def place_reviews(brand, place, moderator):
    """Two published reviews of the place, one rejected, one of another place."""
    author = UserFactory(pseudonym="CamilleSecrete", email="camille.secrete@example.org")
    published = [
        submit_and_decide(brand=brand, moderator=moderator, place=place, rating=5, author=author),
        submit_and_decide(brand=brand, moderator=moderator, place=place, rating=3),
    ]
    rejected = submit_and_decide(
        brand=brand,
        moderator=moderator,
        place=place,
        rating=1,
        text="Le boulanger est un gros connard qui parle mal à tous ses clients le matin.",
    )
    elsewhere = submit_and_decide(brand=brand, moderator=moderator, place=PlaceFactory(brand=brand))
    assert [r.status for r in published] == ["published", "published"]
    assert rejected.status == "rejected"
    return published, rejected, elsewhere


def test_the_screen_shows_only_the_place_published_reviews_and_no_personal_data(
    client, brand, place, place_reviews
):
    # given
    published, rejected, elsewhere = place_reviews
    # when: anyone, no account
    response = client.get(f"/marques/{brand.slug}/{place.slug}/ecran/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert [r.pk for r in response.context["reviews"]] == [published[1].pk, published[0].pk]
    for review in published:
        assert review.title in html
    assert rejected.title not in html
    assert elsewhere.title not in html
    assert "CamilleSecrete" not in html
    assert "camille.secrete@example.org" not in html
    assert "@" not in html.replace("@media", "")
    assert response.context["rating"].count == 2
    assert "4,0/5" in html or "4.0/5" in html
    assert 'data-refresh-seconds="300"' in html
    assert "/static/js/display-refresh.js" in html
    assert "Note : 5/5" in html or "Rating: 5/5" in html
    assert '<svg role="img"' in html  # the QR code of the in-store form


def test_the_screen_is_cached_briefly_for_everyone(client, brand, place, moderator, settings):
    # given
    first = client.get(f"/marques/{brand.slug}/{place.slug}/ecran/")
    assert "max-age=60" in first["Cache-Control"]
    # when: a review is published meanwhile
    review = submit_and_decide(brand=brand, moderator=moderator, place=place, rating=4)
    # then: the cached page is served until it expires
    assert (
        review.title
        not in client.get(f"/marques/{brand.slug}/{place.slug}/ecran/").content.decode()
    )
    cache.clear()
    assert review.title in client.get(f"/marques/{brand.slug}/{place.slug}/ecran/").content.decode()


def test_the_screen_of_a_place_without_reviews(client, brand, place):
    response = client.get(f"/marques/{brand.slug}/{place.slug}/ecran/")
    assert response.status_code == 200
    assert response.context["reviews"] == []
