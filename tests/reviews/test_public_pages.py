import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from reviews.models import HelpfulVote, Review
from reviews.services import withdraw_review
from tests.factories import BrandFactory, PlaceFactory, UserFactory
from tests.reviews.publishing import submit_and_decide

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def publish(brand, moderator):
    def run(**fields):
        review = submit_and_decide(brand=brand, moderator=moderator, **fields)
        assert review.status == "published"
        return review

    return run


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def section(html: str, css_class: str) -> str:
    return html.split(f'class="{css_class}"', 1)[1].split("</section>", 1)[0]


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="review-card".*?</article>', html, flags=re.S)


def card_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="review-card" id="review-(\d+)"', html)]


def brand_url(brand, **query: str) -> str:
    url = reverse("brand-detail", args=[brand.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def five_reviews(publish):
    """Ratings 5, 4, 4, 3, 5 (mean 4.2), published a day apart, oldest first."""
    reviews = []
    for day, rating in enumerate((5, 4, 4, 3, 5), start=1):
        with time_machine.travel(datetime.datetime(2026, 3, day, 12, tzinfo=PARIS), tick=False):
            reviews.append(publish(rating=rating))
    return reviews


# The rating block


@pytest.mark.req("NF-RES-8", "NF-RES-3")
def test_the_rating_is_shown_with_its_number_of_reviews_per_locale(english, brand, five_reviews):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=PARIS)):
        # when
        french = section(page(Client(), brand_url(brand)), "rating-block")
        block = section(page(english, brand_url(brand)), "rating-block")
    # then
    assert '<strong class="rating-mean">4,2/5</strong> – ' in french
    assert '<strong class="rating-mean">4.2/5</strong> – 5 reviews' in block
    bars = re.findall(
        r'<span class="bar-label">(.*?)</span>.*?"bar-count">(.*?)</span>', block, re.S
    )
    assert bars == [
        ("5 stars", "2 reviews (40 %)"),
        ("4 stars", "2 reviews (40 %)"),
        ("3 stars", "1 review (20 %)"),
        ("2 stars", "0 reviews (0 %)"),
        ("1 star", "0 reviews (0 %)"),
    ]
    assert "Period: from March 1, 2025 to March 10, 2026" in block


@pytest.mark.req("FTC-8", "ISO-PUB-2")
def test_the_block_says_how_many_were_published_out_of_received(english, brand, publish):
    # given: two published, one rejected, one withdrawn
    publish(rating=5)
    publish(rating=4)
    submit_and_decide(
        brand=brand,
        moderator=None,
        rating=1,
        text="Le boulanger est un gros connard qui parle mal à tous ses clients le matin.",
    )
    withdrawn = publish(rating=2)
    withdraw_review(review_id=withdrawn.pk, author=withdrawn.author)
    # when
    block = section(page(english, brand_url(brand)), "rating-block")
    # then
    assert "2 published out of 4 reviews received in this period." in block


@pytest.mark.req("FR-1", "FR-2", "EU-1")
def test_the_control_notice_and_its_link_sit_in_the_rating_block(english, brand):
    # when: even before any review
    block = section(page(english, brand_url(brand)), "rating-block")
    # then
    assert "No published review in this period yet." in block
    assert (
        'Reviews are checked before publication — <a href="/fonctionnement-des-avis/">how?</a>'
        in block
    )


@pytest.mark.req("NF-MOD-6")
def test_a_withdrawn_review_leaves_the_page_and_the_rating_at_once(english, brand, publish):
    # given
    kept = publish(rating=5)
    gone = publish(rating=1)
    # when
    withdraw_review(review_id=gone.pk, author=gone.author)
    html = page(english, brand_url(brand))
    # then
    assert card_ids(html) == [kept.pk]
    assert '"rating-mean">5.0/5</strong> – 1 review<' in html


@pytest.mark.req("NF-RES-3")
def test_ratings_per_channel_and_per_place_on_the_brand_page(english, brand, place, publish):
    # given
    publish(rating=5, place=place, channel="website")
    publish(rating=2, channel="in_store")
    # when
    html = page(english, brand_url(brand))
    # then
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(\d+)</td></tr>', html)
    assert rows == [
        ("In store", "2.0/5", "1"),
        ("Website", "5.0/5", "1"),
        (
            f'<a href="/marques/{brand.slug}/{place.slug}/">Dupain Bastille (Paris)</a>',
            "5.0/5",
            "1",
        ),
    ]


# The brand's transparency figures


INSULT = "Le boulanger est un gros connard qui parle mal à tous ses clients le matin."


@pytest.mark.req("EU-4", "ISO-PUB-2", "FTC-8")
def test_the_brand_page_shows_its_transparency_figures_of_the_last_12_months(
    english, brand, publish, moderator
):
    # given: on this brand, two published reviews and one rejected for an insult; on another
    # brand, one more review
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=PARIS)):
        publish(rating=5)
        publish(rating=4)
        submit_and_decide(brand=brand, moderator=None, rating=1, text=INSULT)
        submit_and_decide(brand=BrandFactory(), moderator=moderator, rating=2)
        # when
        html = page(english, brand_url(brand))
    # then
    figures = section(html, "brand-transparency")
    assert "Reviews received from March 11, 2025 to March 10, 2026 (the last 12 months)" in figures
    assert re.findall(r'<dd class="transparency-(\w+)">(\d+)', figures) == [
        ("received", "3"),
        ("published", "2"),
        ("rejected", "1"),
        ("removed", "0"),
        ("appeals", "0"),
        ("awaiting", "0"),
    ]
    assert '<li><a href="/charte/#rule-insult">Insults and profanity</a> (1 review)</li>' in figures
    stars = re.findall(
        r'<tr><th scope="row">(\d) stars?</th><td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td></tr>',
        figures,
    )
    assert stars == [
        ("1", "1", "1", "100.0 %"),
        ("2", "0", "0", "—"),
        ("3", "0", "0", "—"),
        ("4", "1", "0", "0.0 %"),
        ("5", "1", "0", "0.0 %"),
    ]
    assert "Final decisions: 100.0 % by the automated checks, 0.0 % by a moderator." in figures
    assert (
        f'<a href="/transparence/?start=2025-03-11&amp;end=2026-03-10&amp;brand_id={brand.pk}">'
        "The full transparency report for Boulangerie Dupain</a>" in figures
    )


@pytest.mark.req("EU-4")
def test_the_brand_figures_link_to_the_full_report_with_the_same_figures(english, brand, publish):
    # given
    publish(rating=4)
    submit_and_decide(brand=brand, moderator=None, rating=1, text=INSULT)
    link = re.search(r'<a href="(/transparence/\?[^"]+)">The full', page(english, brand_url(brand)))
    assert link is not None
    # when
    report = page(english, link.group(1).replace("&amp;", "&"))
    # then
    assert '<dd id="figure-received">2</dd>' in report
    assert '<dd id="figure-rejected">1</dd>' in report
    assert "Only the reviews of the brand Boulangerie Dupain." in report


def test_without_reviews_the_brand_figures_say_so(english, brand):
    figures = section(page(english, brand_url(brand)), "brand-transparency")
    assert '<dd class="transparency-received">0</dd>' in figures
    assert "No review of this brand was rejected in this period." in figures
    assert "No final decision in this period yet." in figures


def test_the_place_page_has_no_transparency_figures(english, brand, place, publish):
    publish(rating=4, place=place)
    html = page(english, reverse("place-detail", args=[brand.slug, place.slug]))
    assert "brand-transparency" not in html


# The review list


@pytest.mark.req("NF-RES-1", "ISO-PUB-3", "FR-8")
def test_reviews_are_newest_first_by_default_and_the_order_is_labelled(
    english, brand, five_reviews
):
    # when
    html = page(english, brand_url(brand))
    # then
    assert card_ids(html) == [r.pk for r in reversed(five_reviews)]
    assert "<strong>Sorted by: most recent</strong>" in html
    assert '<option value="recent" selected>most recent</option>' in html


@pytest.mark.req("FR-8")
@pytest.mark.parametrize(
    ("sort", "label", "order"),
    [
        ("recent", "most recent", [4, 3, 2, 1, 0]),
        ("oldest", "oldest", [0, 1, 2, 3, 4]),
        ("highest", "highest rating", [4, 0, 2, 1, 3]),
        ("lowest", "lowest rating", [3, 2, 1, 4, 0]),
    ],
)
def test_other_orders_are_labelled(english, brand, five_reviews, sort, label, order):
    html = page(english, brand_url(brand, sort=sort))
    assert f"<strong>Sorted by: {label}</strong>" in html
    assert card_ids(html) == [five_reviews[i].pk for i in order]


@pytest.mark.req("FR-8", "EU-5")
def test_most_helpful_first(english, brand, five_reviews):
    # given
    for voter in UserFactory.create_batch(2):
        HelpfulVote.objects.create(review=five_reviews[1], user=voter)
    Review.objects.filter(pk=five_reviews[1].pk).update(helpful_count=2)
    # when
    html = page(english, brand_url(brand, sort="helpful"))
    # then
    assert card_ids(html)[0] == five_reviews[1].pk
    assert "<strong>Sorted by: most helpful</strong>" in html


@pytest.mark.req("FR-7", "ISO-PUB-3", "NF-RES-7", "NF-RES-2")
def test_each_card_shows_both_dates_the_pseudonym_and_the_full_text(english, brand, publish):
    # given
    author = UserFactory(pseudonym="Léa")
    text = "Première ligne <b>du texte</b>,\nseconde ligne du même avis, sans rien couper."
    review = publish(author=author, rating=4, text=text)
    other_brand = BrandFactory()
    submit_and_decide(brand=other_brand, moderator=None, author=author, rating=5)
    # when
    card = cards(page(english, brand_url(brand)))[0]
    # then
    dates = re.findall(r'<time datetime="([^"]+)">', card)
    assert dates == [
        review.experience_date.isoformat(),
        review.published_at.astimezone(PARIS).isoformat(),
    ]
    assert "<dt>Date of experience</dt>" in card
    assert "<dt>Published</dt>" in card
    assert "By Léa (2 published reviews)" in card
    assert (
        "Première ligne &lt;b&gt;du texte&lt;/b&gt;,<br>seconde ligne du même avis, "
        "sans rien couper." in card
    )
    assert f'<a href="/avis/{review.pk}/historique/">History' in card


@pytest.mark.req("NF-COL-2")
def test_no_email_address_or_ip_in_the_page(english, brand, publish):
    # given
    author = UserFactory(email="camille.secret@example.org", pseudonym="Camille")
    publish(author=author, client_ip="203.0.113.99")
    # when
    html = page(english, brand_url(brand))
    # then
    assert "Camille" in html
    assert "camille.secret" not in html
    assert "@example.org" not in html
    assert "203.0.113.99" not in html


@pytest.mark.req("FR-17", "EU-3", "EU-2")
def test_badges_only_for_invitation_or_document_and_incentives_labelled(english, brand, publish):
    # given
    invited = publish(verification="invitation")
    documented = publish(verification="document")
    declared = publish(verification="self_declared")
    gift = publish(incentive_received=True, incentive_description="un bon de 5 €")
    # when
    by_id = dict(zip(card_ids(html := page(english, brand_url(brand))), cards(html), strict=True))
    # then
    badges = {
        pk: re.findall(r'<li class="badge [^"]+">(.*?)</li>', card) for pk, card in by_id.items()
    }
    assert badges == {
        invited.pk: ["Verified review — invited after a purchase"],
        documented.pk: ["Verified review — proof of purchase provided"],
        declared.pk: [],
        gift.pk: ["Incentivised review: the author received un bon de 5 €"],
    }


@pytest.mark.req("NF-RES-2")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rating": "5"}, ["five"]),
        ({"verified": "yes"}, ["invited"]),
        ({"verified": "no"}, ["five", "web", "english"]),
        ({"channel": "website"}, ["web"]),
        ({"language": "en"}, ["english"]),
        ({"place": "magasin-x"}, ["invited"]),
        ({"period": "30"}, ["five", "web", "english"]),
    ],
)
def test_filters(english, brand, publish, query, expected):
    # given
    PlaceFactory(brand=brand, slug="magasin-x")
    with time_machine.travel(datetime.datetime(2026, 1, 5, 12, tzinfo=PARIS), tick=False):
        invited = publish(rating=4, verification="invitation", place=brand.places.get())
    reviews = {
        "invited": invited,
        "five": publish(rating=5),
        "web": publish(rating=3, channel="website"),
        "english": publish(
            rating=4,
            language="en",
            text="Friendly staff, warm bread and the best croissants I had this year in Paris.",
        ),
    }
    # when
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=PARIS)):
        html = page(english, brand_url(brand, **query))
    # then
    assert sorted(card_ids(html)) == sorted(reviews[name].pk for name in expected)
    assert "were ignored" not in html


@pytest.mark.req("NF-RES-1")
def test_bad_filter_values_are_ignored_with_a_message(english, brand, five_reviews):
    # when
    response = english.get(brand_url(brand, rating="9", sort="worst", period="x", page="zz"))
    html = response.content.decode()
    # then: the default list, and the visitor is told
    assert response.status_code == 200
    assert (
        "Some filters had a value we do not know; they were ignored: Rating, Published, Sort by."
        in html
    )
    assert card_ids(html) == [r.pk for r in reversed(five_reviews)]
    assert "aria-invalid" not in html


def test_reviews_are_paginated(english, brand, publish):
    # given: 21 reviews, 20 per page
    reviews = [publish(rating=n % 5 + 1) for n in range(21)]
    # when
    first = page(english, brand_url(brand))
    second = page(english, brand_url(brand, sort="recent", page="2"))
    # then
    assert card_ids(first) == [r.pk for r in reversed(reviews[1:])]
    assert card_ids(second) == [reviews[0].pk]
    assert 'href="?page=2" rel="next">Next page</a>' in first
    assert "Page 2 of 2" in second


@pytest.mark.req("NF-RES-2")
def test_the_brand_page_reads_a_fixed_number_of_queries(
    client, brand, place, publish, django_assert_num_queries
):
    # given: few reviews, then more than a page of them
    for n in range(3):
        publish(rating=n + 3, place=place)
    # brand, places, rating counters, count, page, and the transparency figures' submissions,
    # decisions, reports and appeals
    with django_assert_num_queries(9):
        client.get(brand_url(brand))
    for n in range(22):
        publish(rating=n % 5 + 1, place=place if n % 2 else None)
    cache.clear()  # the transparency figures are cached per brand for a few minutes
    # when / then
    with django_assert_num_queries(9):
        response = client.get(brand_url(brand))
    assert len(card_ids(response.content.decode())) == 20


def test_anonymous_visitors_share_the_rendered_page(
    client, brand, place, publish, django_assert_num_queries
):
    # given: a page seen once
    publish(rating=4, place=place)
    first = page(client, brand_url(brand))
    # when / then: seen again, by anyone without an account: only the brand is read
    with django_assert_num_queries(1):
        again = Client().get(brand_url(brand)).content.decode()
    # the same content; the frame has the visitor's own CSRF token (language form)
    assert again.split("<main", 1)[1] == first.split("<main", 1)[1]
    assert again.split("<main", 1)[0] != first.split("<main", 1)[0]
    # and another order, language or place is a page of its own
    with django_assert_num_queries(9 - 4):  # the transparency figures stay cached
        Client().get(brand_url(brand, sort="highest"))
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Rating per channel" in english.get(brand_url(brand)).content.decode()
    place_url = reverse("place-detail", args=[brand.slug, place.slug])
    assert Client().get(place_url).content.decode().count(place.name) >= 1


def test_every_change_of_the_brand_shows_at_once_on_a_cached_page(
    client, brand, publish, moderator, django_capture_on_commit_callbacks
):
    # given: a page seen, so cached
    kept = publish(rating=4)
    assert card_ids(page(client, brand_url(brand))) == [kept.pk]
    # when / then: a review published
    added = publish(rating=2)
    assert card_ids(page(client, brand_url(brand))) == [added.pk, kept.pk]
    # when / then: a review withdrawn
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_review(review_id=added.pk, author=added.author)
    assert card_ids(page(client, brand_url(brand))) == [kept.pk]
    # when / then: a helpful vote
    from reviews.services import vote_review_helpful

    with django_capture_on_commit_callbacks(execute=True):
        vote_review_helpful(review_id=kept.pk, user=UserFactory())
    assert "1 personne a trouvé cet avis utile" in page(client, brand_url(brand))
    # when / then: a new place
    from brands.services import create_place

    with django_capture_on_commit_callbacks(execute=True):
        create_place(brand=brand, name="Dupain Nation", city="Paris", actor=None)
    assert "Dupain Nation" in page(client, brand_url(brand))


def test_signed_in_visitors_get_their_own_page(client, brand, publish):
    # given: the anonymous page cached
    review = publish(rating=4)
    page(client, brand_url(brand))
    # when: a signed-in visitor opens it
    client.force_login(UserFactory())
    html = page(client, brand_url(brand))
    # then: with the vote button, which carries the visitor's own CSRF token
    assert f'action="{reverse("reviews:helpful", args=[review.pk])}"' in html


def test_a_logged_in_page_reads_a_fixed_number_of_queries(
    client, brand, publish, django_assert_num_queries
):
    # given
    for n in range(25):
        publish(rating=n % 5 + 1)
    client.force_login(UserFactory())
    # when / then: + session, user, the user's votes
    with django_assert_num_queries(12):
        client.get(brand_url(brand))


@pytest.mark.req("EU-5")
def test_a_logged_in_visitor_votes_a_review_helpful(english, brand, publish):
    # given
    review = publish(rating=4)
    voter = UserFactory(language="en")
    english.force_login(voter)
    html = page(english, brand_url(brand))
    assert f'action="/avis/{review.pk}/utile/"' in html
    # when
    response = english.post(
        reverse("reviews:helpful", args=[review.pk]),
        {"next": f"{brand_url(brand)}#review-{review.pk}"},
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{brand_url(brand)}#review-{review.pk}"
    review.refresh_from_db()
    assert review.helpful_count == 1
    html = page(english, brand_url(brand))
    assert "1 person found this review helpful" in html
    assert "You found this review helpful." in html
    assert f'action="/avis/{review.pk}/utile/"' not in html


def test_no_vote_button_for_anonymous_visitors_or_the_author(english, brand, publish):
    review = publish(rating=4)
    assert "/utile/" not in page(english, brand_url(brand))
    english.force_login(review.author)
    assert "/utile/" not in page(english, brand_url(brand))


@pytest.mark.req("EU-5")
def test_a_second_vote_is_refused_with_a_message(english, brand, publish):
    # given
    review = publish(rating=4)
    english.force_login(voter := UserFactory(language="en"))
    HelpfulVote.objects.create(review=review, user=voter)
    # when
    response = english.post(
        reverse("reviews:helpful", args=[review.pk]), {"next": "https://evil.example/"}
    )
    # then: no second vote, and no redirection off the site
    assert response["Location"] == reverse("brand-search")
    assert HelpfulVote.objects.filter(review=review).count() == 1
    assert "You already found this review helpful." in page(english, response["Location"])


def test_voting_needs_an_account(client, brand, publish):
    review = publish(rating=4)
    response = client.post(reverse("reviews:helpful", args=[review.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Structured data


def structured_data(html: str) -> dict:
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert script is not None
    return json.loads(script.group(1))


def test_structured_data_describes_the_brand_its_rating_and_reviews(english, brand, five_reviews):
    # when
    data = structured_data(page(english, brand_url(brand)))
    # then
    assert (data["@type"], data["name"]) == ("Organization", "Boulangerie Dupain")
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.2",
        "ratingCount": 5,
        "reviewCount": 5,
        "bestRating": 5,
        "worstRating": 1,
    }
    newest = five_reviews[-1]
    assert data["review"][0] == {
        "@type": "Review",
        "author": {"@type": "Person", "name": newest.author.pseudonym},
        "datePublished": "2026-03-05",
        "name": newest.title,
        "reviewBody": newest.text,
        "inLanguage": "fr",
        "reviewRating": {"@type": "Rating", "ratingValue": 5, "bestRating": 5, "worstRating": 1},
    }
    assert len(data["review"]) == 5


def test_structured_data_cannot_break_out_of_its_script(english, brand, publish):
    # given
    text = "Fin du script </script><script>alert(1)</script> & <!-- commentaire --> ici."
    publish(rating=3, title="</script><b>", text=text)
    # when
    html = page(english, brand_url(brand))
    # then
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == 1
    assert structured_data(html)["review"][0]["reviewBody"] == text


def test_without_reviews_there_is_no_aggregate_rating(english, brand):
    assert "aggregateRating" not in structured_data(page(english, brand_url(brand)))


# Place page


@pytest.mark.req("NF-RES-3")
def test_the_place_page_shows_the_places_rating_and_reviews(english, brand, place, publish):
    # given
    here = publish(rating=5, place=place)
    publish(rating=1)
    # when
    html = page(english, reverse("place-detail", args=[brand.slug, place.slug]))
    # then
    assert '"rating-mean">5.0/5</strong> – 1 review<' in html
    assert card_ids(html) == [here.pk]
    assert 'name="place"' not in html
    assert structured_data(html)["@type"] == "LocalBusiness"
    assert "Reviews are checked before publication" in section(html, "rating-block")


@pytest.mark.parametrize(
    "path",
    ["/marques/inconnue/", "/marques/inconnue/magasin/", "/marques/{brand}/magasin-inconnu/"],
)
def test_unknown_brands_and_places_are_404(client, brand, path):
    page(client, path.format(brand=brand.slug), status=404)


def test_the_claim_pages_of_the_brands_app_still_answer(client, brand):
    # /marques/<slug>/revendiquer/ belongs to the brands app, matched before the place page
    client.force_login(UserFactory())
    assert "revendiquer" in page(client, f"/marques/{brand.slug}/revendiquer/")
    assert page(client, "/marques/mes-marques/")


# Search page


@pytest.fixture
def three_brands(moderator):
    """Two in Lyon (rated 4.5 and 3.0), one in Paris without reviews."""
    lyon_good = BrandFactory(name="Fromagerie Alpha", slug="alpha")
    lyon_mid = BrandFactory(name="Fromagerie Beta", slug="beta")
    paris = BrandFactory(name="Caviste Gamma", slug="gamma")
    PlaceFactory(brand=lyon_good, city="Lyon")
    PlaceFactory(brand=lyon_mid, city="Lyon")
    PlaceFactory(brand=paris, city="Paris")
    for rating in (5, 4):
        submit_and_decide(brand=lyon_good, moderator=moderator, rating=rating)
    submit_and_decide(brand=lyon_mid, moderator=moderator, rating=3)
    return lyon_good, lyon_mid, paris


def result_names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/marques/[^/]+/">(.*?)</a></h2>', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Caviste Gamma", "Fromagerie Alpha", "Fromagerie Beta"]),
        ("?q=froma", ["Fromagerie Alpha", "Fromagerie Beta"]),
        ("?city=lyon", ["Fromagerie Alpha", "Fromagerie Beta"]),
        ("?city=Paris&q=", ["Caviste Gamma"]),
        ("?min_rating=4.5", ["Fromagerie Alpha"]),
        ("?min_rating=3", ["Fromagerie Alpha", "Fromagerie Beta"]),
        ("?q=beta&min_rating=4", []),
    ],
)
def test_brand_search(english, three_brands, query, expected):
    html = page(english, reverse("brand-search") + query)
    assert result_names(html) == expected
    assert "were ignored" not in html


def test_search_results_show_the_rating(english, three_brands):
    html = page(english, reverse("brand-search") + "?q=alpha")
    assert "<strong>4.5/5</strong> – 2 reviews" in html
    assert "Cities: Lyon" in html


def test_the_minimum_rating_compares_the_displayed_mean(english, moderator):
    # given: a mean of 3.96, shown as 4.0
    brand = BrandFactory(name="Arrondi")
    for rating in [4] * 24 + [3]:
        submit_and_decide(brand=brand, moderator=moderator, rating=rating)
    # when
    html = page(english, reverse("brand-search") + "?min_rating=4")
    # then
    assert result_names(html) == ["Arrondi"]
    assert "<strong>4.0/5</strong> – 25 reviews" in html


def test_bad_search_values_are_ignored_with_a_message(english, three_brands):
    html = page(english, reverse("brand-search") + "?min_rating=9&page=-1&q=" + "x" * 200)
    assert "they were ignored: Name, Minimum rating." in html
    assert len(result_names(html)) == 3


def test_the_search_page_reads_a_fixed_number_of_queries(
    client, moderator, django_assert_num_queries
):
    # given
    for n in range(25):
        brand = BrandFactory()
        PlaceFactory(brand=brand)
        if n < 3:
            submit_and_decide(brand=brand, moderator=moderator, rating=4)
    # when / then: count, page of brands with their ratings, their places
    with django_assert_num_queries(3):
        response = client.get(reverse("brand-search") + "?min_rating=1")
    assert len(result_names(response.content.decode())) == 3
    with django_assert_num_queries(3):
        response = client.get(reverse("brand-search"))
    assert len(result_names(response.content.decode())) == 20
