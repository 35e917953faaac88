"""The embeddable widget: a brand's rating and 3 latest reviews, for an iframe on its own site."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from reviews.models import Review
from reviews.ratings import get_rating
from reviews.services import withdraw_review
from reviews.widget_views import WIDGET_EXCERPT_CHARS
from tests.factories import BrandFactory, UserFactory
from tests.reviews.publishing import submit_and_decide

LONG_TEXT = (
    "Accueil chaleureux et conseils précis pour choisir un gâteau d'anniversaire. " * 4
).strip()


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def widget_url(brand, **query: str) -> str:
    url = reverse("brand-widget", args=[brand.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def review_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<h3 id="widget-review-(\d+)"', html)]


@pytest.fixture
def reviews(brand, moderator):
    """Four published reviews, oldest first; the newest has a long text."""
    oldest = submit_and_decide(brand=brand, moderator=moderator, rating=2)
    middle = [submit_and_decide(brand=brand, moderator=moderator, rating=5) for _ in range(2)]
    newest = submit_and_decide(
        brand=brand,
        moderator=moderator,
        rating=4,
        author=UserFactory(pseudonym="Lucie", email="lucie.secret@example.com"),
        title="Très bon",
        text=LONG_TEXT,
    )
    assert {r.status for r in (oldest, *middle, newest)} == {Review.Status.PUBLISHED}
    return [oldest, *middle, newest]


@pytest.mark.req("NF-RES-2", "FR-2")
def test_the_widget_shows_the_rating_the_count_and_the_three_latest_reviews(client, brand, reviews):
    # when
    response = client.get(widget_url(brand, lang="en"))
    html = response.content.decode()
    # then: the brand page's rating, 4 published reviews, the 3 newest first
    assert response.status_code == 200
    assert get_rating(brand_id=brand.pk).mean == 4  # (2 + 5 + 5 + 4) / 4
    assert '<html lang="en">' in html
    assert "<strong>4.0/5</strong> 4 reviews" in html
    assert review_ids(html) == [reviews[3].pk, reviews[2].pk, reviews[1].pk]
    assert "By Lucie" in html
    # the long text is cut, with a link to the full review on Voix (NF-RES-2)
    brand_url = reverse("brand-detail", args=[brand.slug])
    excerpt = LONG_TEXT[: WIDGET_EXCERPT_CHARS - 1]
    assert escape(excerpt) in html
    assert escape(LONG_TEXT) not in html
    assert (
        f'<a href="{brand_url}#review-{reviews[3].pk}" target="_blank" rel="noopener">'
        "Read the full review" in html
    )
    assert html.count(f'href="{brand_url}#review-') == 3
    # the reviews are checked (FR-2), and the full brand page
    assert "Reviews are checked before publication" in html
    assert f'href="{reverse("how-reviews-work")}" target="_blank" rel="noopener"' in html
    assert f'<a href="{brand_url}" target="_blank" rel="noopener">All reviews of' in html
    # every link opens outside the iframe
    assert html.count("<a ") == html.count('target="_blank" rel="noopener"')


def test_the_widget_is_french_by_default_and_follows_accept_language(client, brand, reviews):
    french = client.get(widget_url(brand)).content.decode()
    english = client.get(widget_url(brand), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    forced = client.get(widget_url(brand, lang="fr"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in french
    assert '<html lang="en">' in english
    assert '<html lang="fr">' in forced


def test_the_widget_shows_only_published_reviews(client, brand, moderator, reviews):
    # given: the newest review withdrawn by its author
    withdraw_review(review_id=reviews[3].pk, author=reviews[3].author)
    # when
    html = client.get(widget_url(brand, lang="en")).content.decode()
    # then
    assert review_ids(html) == [reviews[2].pk, reviews[1].pk, reviews[0].pk]
    assert "3 reviews" in html


def test_the_widget_shows_no_personal_data(client, brand, reviews):
    html = client.get(widget_url(brand)).content.decode()
    assert "lucie.secret" not in html
    assert "@" not in html
    for review in reviews:
        assert review.author.email not in html


def test_a_brand_without_reviews_says_so(client, db):
    brand = BrandFactory(name="Nouvelle Maison")
    html = client.get(widget_url(brand, lang="en")).content.decode()
    assert "No published review in this period yet." in html
    assert review_ids(html) == []


def test_an_unknown_brand_is_404(client, db):
    assert client.get(reverse("brand-widget", args=["inconnue"])).status_code == 404


def test_the_widget_may_be_framed_anywhere_and_cached(client, brand, reviews):
    response = client.get(widget_url(brand))
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Content-Security-Policy"] == "frame-ancestors *"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Content-Language"] == "fr"
    assert "Accept-Language" in response.headers["Vary"]
    # other pages still refuse framing
    assert client.get(reverse("brand-detail", args=[brand.slug])).headers["X-Frame-Options"] == (
        "DENY"
    )


def test_the_widget_sets_no_cookie_and_reads_no_session(client, brand, brand_owner, reviews):
    # given: even a logged-in member of the brand
    client.force_login(brand_owner)
    # when
    response = client.get(widget_url(brand))
    # then
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert "Cookie" not in response.headers.get("Vary", "")


def test_the_widget_reads_three_queries_then_none_from_the_cache(
    client, brand, moderator, reviews, django_assert_num_queries
):
    # given: more reviews than shown
    for _ in range(3):
        submit_and_decide(brand=brand, moderator=moderator)
    # when / then: brand, rating counters, 3 latest reviews; then the cached page
    with django_assert_num_queries(3):
        first = client.get(widget_url(brand, lang="en"))
    with django_assert_num_queries(0):
        second = client.get(widget_url(brand, lang="en"))
    assert first.content == second.content
    # each language has its own cached page
    with django_assert_num_queries(3):
        assert '<html lang="fr">' in client.get(widget_url(brand, lang="fr")).content.decode()


def test_the_members_page_shows_the_snippet_to_copy(client, brand, brand_owner):
    brand_owner.language = "en"
    brand_owner.save()
    client.force_login(brand_owner)
    html = client.get(reverse("reviews:brand-reviews", args=[brand.slug])).content.decode()
    src = f"http://testserver{reverse('brand-widget', args=[brand.slug])}"
    assert f'&lt;iframe src="{src}" title="Reviews of {brand.name} on Voix"' in html
