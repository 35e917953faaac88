"""The brand's figures (issue 6): the dashboard page, its CSV and the API, for the brand's
members only, with exact figures on a small brand built through the real services."""

import csv
import datetime
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from brands.models import Invitation
from reviews import dashboard
from reviews.dashboard import InvalidPeriod, get_brand_dashboard, parse_period
from reviews.models import Review
from reviews.services import withdraw_review
from tests.factories import PlaceFactory, UserFactory
from tests.reviews.publishing import sent_invitation_row, submit_and_decide
from tests.reviews.replying import ROLES, reply

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.datetime(2026, 3, 15, 12, tzinfo=PARIS)


def at(year: int, month: int, day: int, hour: int):
    moment = datetime.datetime(year, month, day, hour, tzinfo=PARIS)
    return time_machine.travel(moment, tick=False)


def page_url(brand) -> str:
    return reverse("reviews:brand-dashboard", args=[brand.slug])


def csv_url(brand) -> str:
    return reverse("reviews:brand-dashboard-csv", args=[brand.slug])


def api_url(brand) -> str:
    return reverse("api-brand-dashboard", args=[brand.slug])


def api_csv_url(brand) -> str:
    return reverse("api-brand-dashboard-csv", args=[brand.slug])


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def figures(brand, place, brand_owner, moderator):
    """A small brand: six reviews over January to March 2026 (one withdrawn), three replies,
    four invitations in the period (one used) and one before it.

    | review | month | rating | place   | channel  | recommend | invited | reply after |
    | R1     | Jan   | 5      | Bastille| in store | 10        |         | 2 h         |
    | R2     | Jan   | 4      | Nation  | website  | 8         |         |             |
    | R3     | Feb   | 2      | -       | delivery | 3         |         | 24 h        |
    | R4     | Feb   | 5      | Bastille| in store | 9         | yes     | 6 h         |
    | R5     | Feb   | 1      | Bastille| in store | 0         |         | (withdrawn) |
    | R6     | Mar   | 3      | Nation  | phone    | 7         |         |             |
    """
    nation = PlaceFactory(brand=brand, name="Dupain Nation", city="Paris")
    with at(2025, 2, 10, 9):
        sent_invitation_row(brand=brand, purchase_date=datetime.date(2025, 2, 1))  # before
    with at(2026, 1, 10, 10):
        sent_invitation_row(brand=brand, purchase_date=datetime.date(2026, 1, 8))
        r1 = submit_and_decide(
            brand=brand,
            moderator=moderator,
            rating=5,
            place=place,
            recommend_score=10,
            title="Excellent",
            text="Accueil chaleureux et croissants croustillants. Baguette parfaite ce matin.",
        )
        r2 = submit_and_decide(
            brand=brand,
            moderator=moderator,
            rating=4,
            place=nation,
            channel="website",
            recommend_score=8,
        )
    with at(2026, 1, 10, 12):
        reply(r1, brand_owner)
    with at(2026, 2, 5, 10):
        sent_invitation_row(brand=brand, purchase_date=datetime.date(2026, 2, 1))
        sent_invitation_row(brand=brand, purchase_date=datetime.date(2026, 2, 2))
        r3 = submit_and_decide(
            brand=brand,
            moderator=moderator,
            rating=2,
            channel="delivery",
            recommend_score=3,
        )
        r4 = submit_and_decide(
            brand=brand,
            moderator=moderator,
            rating=5,
            place=place,
            recommend_score=9,
            verification=Review.Verification.INVITATION,
            title="Parfait",
            text="Croissants croustillants, accueil chaleureux, vendeuse souriante et rapide.",
        )
        r5 = submit_and_decide(
            brand=brand, moderator=moderator, rating=1, place=place, recommend_score=0
        )
    with at(2026, 2, 5, 16):
        reply(r4, brand_owner)
    with at(2026, 2, 6, 10):
        reply(r3, brand_owner)
    with at(2026, 2, 20, 10), TestCase.captureOnCommitCallbacks(execute=True):
        withdraw_review(review_id=r5.pk, author=r5.author)
    with at(2026, 3, 2, 10):
        r6 = submit_and_decide(
            brand=brand,
            moderator=moderator,
            rating=3,
            place=nation,
            channel="phone",
            recommend_score=7,
        )
    reviews = [r1, r2, r3, r4, r5, r6]
    for review in reviews:
        review.refresh_from_db()
    assert [r.status for r in reviews] == ["published"] * 4 + ["withdrawn", "published"]
    assert r1.reply.first_published_at is not None
    return {"reviews": reviews, "nation": nation}


def period_of(start: str = "", end: str = ""):
    return parse_period(start=start or None, end=end or None, today=TODAY.date())


# EXACT FIGURES
# ------------------------------------------------------------------------------


def test_ratings_per_month_place_and_channel(brand, figures):
    # when
    board = get_brand_dashboard(brand_id=brand.pk, brand_name=brand.name, period=period_of())
    # then
    assert board.period.start == datetime.date(2025, 4, 1)
    assert board.period.end == datetime.date(2026, 3, 1)
    months = {
        f"{m.month:%Y-%m}": (m.published, m.mean, m.received, m.replied) for m in board.by_month
    }
    assert len(months) == 12
    assert months["2026-01"] == (2, Decimal("4.5"), 2, 1)
    assert months["2026-02"] == (2, Decimal("3.5"), 3, 2)
    assert months["2026-03"] == (1, Decimal("3.0"), 1, 0)
    assert months["2025-12"] == (0, None, 0, 0)
    assert (board.overall.published, board.overall.mean, board.overall.received) == (
        5,
        Decimal("3.8"),
        6,
    )
    assert [(f.label, f.published, f.mean, f.received) for f in board.by_place] == [
        ("Dupain Bastille", 2, Decimal("5.0"), 3),
        ("Dupain Nation", 2, Decimal("3.5"), 2),
        ("Établissement non précisé", 1, Decimal("2.0"), 1),
    ]
    assert [(f.key, f.published, f.mean, f.received) for f in board.by_channel] == [
        ("in_store", 2, Decimal("5.0"), 3),
        ("website", 1, Decimal("4.0"), 1),
        ("phone", 1, Decimal("3.0"), 1),
        ("delivery", 1, Decimal("2.0"), 1),
    ]


def test_a_shorter_period_counts_only_its_months(brand, figures):
    board = get_brand_dashboard(
        brand_id=brand.pk, brand_name=brand.name, period=period_of("2026-02", "2026-02")
    )
    assert [(f"{m.month:%Y-%m}", m.published, m.received) for m in board.by_month] == [
        ("2026-02", 2, 3)
    ]
    assert (board.replies.published, board.replies.replied) == (2, 2)
    assert board.nps.answers == 2  # R3 and R4; the withdrawn R5 does not count
    assert (board.invitations.sent, board.invitations.reviewed) == (3, 1)


def test_reply_rate_and_median_delay(brand, figures):
    board = get_brand_dashboard(brand_id=brand.pk, brand_name=brand.name, period=period_of())
    replies = board.replies
    assert (replies.published, replies.replied) == (5, 3)
    assert replies.rate == pytest.approx(0.6)
    assert replies.median_delay_seconds == 6 * 3600  # delays of 2 h, 6 h and 24 h


def test_nps_counts_answers_of_published_reviews(brand, figures):
    nps = get_brand_dashboard(brand_id=brand.pk, brand_name=brand.name, period=period_of()).nps
    # 10 and 9 promote, 8 and 7 are passive, 3 detracts; the withdrawn review's 0 is left out
    assert (nps.answers, nps.promoters, nps.passives, nps.detractors) == (5, 2, 2, 1)
    assert nps.score == 20


def test_themes_are_the_terms_shared_by_reviews_of_a_rating(brand, figures):
    themes = get_brand_dashboard(
        brand_id=brand.pk, brand_name=brand.name, period=period_of()
    ).themes
    by_rating = {group.rating: group for group in themes}
    assert [group.rating for group in themes] == [5, 4, 3, 2, 1]
    assert by_rating[5].reviews_read == 2
    # both five-star reviews say it; the single words are left out, the pairs say more
    assert [(t.term, t.reviews) for t in by_rating[5].themes] == [
        ("accueil chaleureux", 2),
        ("croissants croustillants", 2),
    ]
    assert (by_rating[4].reviews_read, by_rating[4].themes) == (1, [])  # once is no theme
    assert by_rating[1].reviews_read == 0  # the withdrawn review is not read


def test_themes_leave_out_stop_words_the_brand_name_and_numbers():
    texts = [
        (2, "Livraison en retard", "La livraison était en retard de 3 jours chez Dupain."),
        (2, "Déçu", "Livraison en retard, et the service was slow at Dupain."),
        (2, "Bof", "Service lent. Livraison correcte."),
    ]
    groups = dashboard._themes(texts, extra_stop_words={"dupain"})
    two = next(group for group in groups if group.rating == 2)
    assert [(t.term, t.reviews) for t in two.themes] == [
        ("livraison", 3),
        ("retard", 2),
        ("service", 2),
    ]


def test_invitation_conversion_and_invited_rating_gap(brand, figures):
    invitations = get_brand_dashboard(
        brand_id=brand.pk, brand_name=brand.name, period=period_of()
    ).invitations
    assert Invitation.objects.filter(brand=brand).count() == 5  # one sent before the period
    assert (invitations.sent, invitations.reviewed) == (4, 1)
    assert invitations.conversion == pytest.approx(0.25)
    assert [(f"{m.month:%Y-%m}", m.sent, m.reviewed) for m in invitations.by_month][-3:] == [
        ("2026-01", 1, 0),
        ("2026-02", 3, 1),
        ("2026-03", 0, 0),
    ]
    assert (invitations.invited_reviews, invitations.invited_mean) == (1, Decimal("5.0"))
    assert (invitations.spontaneous_reviews, invitations.spontaneous_mean) == (4, Decimal("3.5"))
    assert invitations.invited_share == pytest.approx(0.2)
    assert invitations.rating_gap == Decimal("1.5")
    assert invitations.gating_signal is False  # too few reviews to tell


def test_a_large_gap_with_enough_reviews_is_a_gating_signal(
    client, brand, brand_owner, figures, settings
):
    settings.INVITATION_GAP_MIN_REVIEWS = 1  # the same setting as the invitations page
    client.force_login(brand_owner)
    with time_machine.travel(TODAY, tick=False):
        response = client.get(page_url(brand))
    assert response.context["dashboard"].invitations.gating_signal is True
    assert 'id="gating-signal"' in response.content.decode()


def test_the_page_shows_every_figure_in_charts_and_tables(client, brand, brand_owner, figures):
    client.force_login(brand_owner)
    with time_machine.travel(TODAY, tick=False):
        response = client.get(page_url(brand))
    assert response.status_code == 200
    html = response.content.decode()
    for chart_id in (
        "chart-rating-month",
        "chart-volume",
        "chart-rating-place",
        "chart-rating-channel",
        "chart-replies",
        "chart-nps",
        "chart-invitations",
        "chart-invited",
    ):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
    for table_id in ("table-months", "table-places", "table-channels", "table-nps"):
        assert f'id="{table_id}"' in html
    assert "accueil chaleureux" in html
    assert 'id="gating-signal"' not in html
    assert response.context["median_delay"] == "6,0 h"


def test_the_csv_holds_the_same_figures(client, brand, brand_owner, figures):
    client.force_login(brand_owner)
    with time_machine.travel(TODAY, tick=False):
        response = client.get(csv_url(brand), {"start": "2026-01", "end": "2026-03"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('-figures-2026-01-2026-03.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["table", "dimension", "figure", "value"]
    values = {(t, d, f): v for t, d, f, v in rows[1:]}
    assert values[("rating_by_month", "2026-01", "mean")] == "4.5"
    assert values[("rating_by_month", "2026-02", "received")] == "3"
    assert values[("rating_by_place", "none", "published")] == "1"
    assert values[("rating_by_channel", "delivery", "mean")] == "2.0"
    assert values[("replies", "all", "reply_rate")] == "0.6"
    assert values[("replies", "all", "median_delay_hours")] == "6"
    assert values[("nps", "all", "nps")] == "20"
    assert values[("themes", "5", "accueil chaleureux")] == "2"
    assert values[("invitations", "all", "conversion")] == "0.25"
    assert values[("invitations", "all", "rating_gap")] == "1.5"
    assert values[("invitations", "all", "gating_signal")] == "0"


def test_the_api_returns_the_figures(brand, brand_agent, figures):
    with time_machine.travel(TODAY, tick=False):
        response = as_user(brand_agent).get(api_url(brand), {"start": "2026-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-01-01", "end": "2026-03-01"}
    assert body["overall"] == {
        "key": "all",
        "name": "Tous les avis",
        "published": 5,
        "mean": "3.8",
        "received": 6,
    }
    assert [(m["month"], m["published"], m["mean"], m["replied"]) for m in body["by_month"]] == [
        ("2026-01-01", 2, "4.5", 1),
        ("2026-02-01", 2, "3.5", 2),
        ("2026-03-01", 1, "3.0", 0),
    ]
    assert body["replies"] == {
        "published": 5,
        "replied": 3,
        "rate": 0.6,
        "median_delay_seconds": 21600.0,
    }
    assert body["nps"] == {
        "answers": 5,
        "promoters": 2,
        "passives": 2,
        "detractors": 1,
        "score": 20,
    }
    assert body["themes"][0] == {
        "rating": 5,
        "reviews_read": 2,
        "themes": [
            {"term": "accueil chaleureux", "reviews": 2},
            {"term": "croissants croustillants", "reviews": 2},
        ],
    }
    invitations = body["invitations"]
    assert (invitations["sent"], invitations["reviewed"], invitations["conversion"]) == (
        4,
        1,
        0.25,
    )
    assert (invitations["rating_gap"], invitations["gating_signal"]) == ("1.5", False)


def test_no_personal_data_or_moderation_evidence_in_the_output(client, brand, brand_owner, figures):
    # given: what a member must never see
    reviews = figures["reviews"]
    secrets = [r.author.email for r in reviews] + list(
        Invitation.objects.filter(brand=brand).values_list("email", flat=True)
    )
    secrets += [r.network_hash for r in reviews if r.network_hash]
    secrets += [r.device_hash for r in reviews if r.device_hash]
    secrets += [r.author.pseudonym for r in reviews]
    client.force_login(brand_owner)
    with time_machine.travel(TODAY, tick=False):
        outputs = [
            client.get(page_url(brand)).content.decode(),
            client.get(csv_url(brand)).content.decode(),
            as_user(brand_owner).get(api_url(brand)).content.decode(),
            as_user(brand_owner).get(api_csv_url(brand)).content.decode(),
        ]
    # then
    assert secrets
    for output in outputs:
        for secret in secrets:
            assert secret not in output
        assert "@" not in output.replace(brand_owner.email, "")


# QUERIES
# ------------------------------------------------------------------------------


def test_the_figures_take_five_queries(brand, figures, django_assert_num_queries):
    period = period_of("2024-04", "2026-03")
    with django_assert_num_queries(5):  # buckets, places, reviews, themes, invitations
        get_brand_dashboard(brand_id=brand.pk, brand_name=brand.name, period=period)


def test_the_api_takes_a_fixed_number_of_queries(
    brand, brand_owner, figures, django_assert_num_queries
):
    api = as_user(brand_owner)
    with time_machine.travel(TODAY, tick=False), django_assert_num_queries(8):
        # brand, its places, membership, then the five of the figures
        assert api.get(api_url(brand)).status_code == 200


# PERMISSIONS
# ------------------------------------------------------------------------------

ENDPOINTS = ["page", "csv", "api", "api_csv"]


def _get(kind, brand, user, client):
    if kind in ("page", "csv"):
        if user is not None:
            client.force_login(user)
        return client.get(page_url(brand) if kind == "page" else csv_url(brand))
    api = APIClient() if user is None else as_user(user)
    return api.get(api_url(brand) if kind == "api" else api_csv_url(brand))


@pytest.mark.parametrize("kind", ENDPOINTS)
@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_only_the_brands_members_read_its_figures(
    client, brand, people_by_role, kind, role, allowed
):
    # operators are refused too: the brand's figures are the brand's (reviews.dashboard_views)
    response = _get(kind, brand, people_by_role[role], client)
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_log_in(client, brand, kind):
    response = _get(kind, brand, None, client)
    if kind in ("page", "csv"):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == 403  # session authentication first: no challenge


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_an_unknown_brand_is_not_found(client, brand_owner, kind):
    class Missing:
        slug = "no-such-brand"

    assert _get(kind, Missing, brand_owner, client).status_code == 404


# PERIOD VALIDATION
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-13"}, "start"),
        ({"start": "janvier"}, "start"),
        ({"end": "2026-1"}, "end"),
        ({"start": "2026-03", "end": "2026-01"}, "start"),  # backwards
        ({"start": "2024-01", "end": "2026-03"}, "start"),  # 27 months
        ({"end": "2026-04"}, "end"),  # after the current month
    ],
)
def test_a_bad_period_is_refused(client, brand, brand_owner, query, field):
    client.force_login(brand_owner)
    with time_machine.travel(TODAY, tick=False):
        page = client.get(page_url(brand), query)
        csv_response = client.get(csv_url(brand), query)
        api = as_user(brand_owner).get(api_url(brand), query)
        api_csv = as_user(brand_owner).get(api_csv_url(brand), query)
    assert page.status_code == 400
    assert page.context["form"].errors[field]
    assert csv_response.status_code == 400
    assert csv_response["Content-Type"] == "text/plain; charset=utf-8"
    assert api.status_code == 400
    assert api.json()["code"].startswith("invalid")
    assert field in api.json()
    assert api_csv.status_code == 400


def test_the_default_period_is_the_last_twelve_months():
    period = period_of()
    assert (period.start, period.end) == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 1))
    assert len(period.months) == 12
    longest = period_of("2024-04", "2026-03")
    assert len(longest.months) == 24
    with pytest.raises(InvalidPeriod):
        period_of("2024-03", "2026-03")


def test_the_brands_reviews_page_links_the_figures(client, brand, brand_agent):
    client.force_login(brand_agent)
    response = client.get(reverse("reviews:brand-reviews", args=[brand.slug]))
    assert page_url(brand) in response.content.decode()


def test_the_page_states_the_invitation_conversion(client, brand, brand_owner):
    # given: one invitation sent, one review written from it
    invitation = sent_invitation_row(brand=brand, purchase_date=timezone.localdate())
    moderator = UserFactory(role="moderator", moderation_languages=["fr"])
    submit_and_decide(brand=brand, moderator=moderator, invitation=invitation)
    client.force_login(brand_owner)
    # when
    html = client.get(reverse("reviews:brand-dashboard", args=[brand.slug])).content.decode()
    # then
    assert re.search(r'id="figure-conversion">\s*Conversion : 100,0\s*%', html)
