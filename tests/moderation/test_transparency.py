"""The live transparency report: its figures, the page, the API, the CSV and the command."""

import datetime
import json
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from moderation.models import Appeal, Decision, Report, ReportingSanction, Submission
from moderation.transparency import (
    InvalidPeriod,
    compute_transparency,
    last_twelve_months,
    make_period,
    month_period,
    nearest_rank,
)
from tests.factories import BrandFactory, UserFactory

PARIS = timezone.get_default_timezone()
DAY = datetime.date(2026, 10, 15)
MINUTE = datetime.timedelta(minutes=1)


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def make_submission(customer, brand, moderator):
    """The engine's records of one review: its submission and its decisions, as stored.

    `decisions` is a list of (outcome, rule_code, by_moderator, delay after receipt).
    """

    def make(*, rating=4, received_at=None, decisions=(), kind="review", on_brand=None):
        received_at = received_at or at(DAY)
        submission = Submission.objects.create(
            kind=kind,
            object_id=str(Submission.objects.count() + 1000),
            author=customer,
            brand=on_brand or brand,
            rating=rating,
            language="fr",
            text="Texte",
            submitted_at=received_at,
            author_joined_at=received_at - datetime.timedelta(days=30),
        )
        Submission.objects.filter(pk=submission.pk).update(received_at=received_at)
        state = Submission.State.PENDING
        for outcome, rule_code, by_moderator, delay in decisions:
            Decision.objects.create(
                submission=submission,
                outcome=outcome,
                rule_code=rule_code,
                risk_score=0,
                ruleset_version="2026.1",
                pipeline_version="1",
                decided_by=moderator if by_moderator else None,
                decided_at=received_at + delay,
            )
            state = (
                Submission.State.IN_REVIEW
                if outcome == Decision.Outcome.SEND_TO_HUMAN
                else Submission.State.DECIDED
            )
        Submission.objects.filter(pk=submission.pk).update(state=state)
        return submission

    return make


PUBLISH = (Decision.Outcome.PUBLISH, "", False, MINUTE)
TO_HUMAN = (Decision.Outcome.SEND_TO_HUMAN, "duplicate_content", False, MINUTE)


@pytest.fixture
def october(make_submission):
    """Fifteen reviews received in October 2026, across every rating and every path."""
    reject_insult = (Decision.Outcome.REJECT, "insult", False, 2 * MINUTE)
    human_reject = (Decision.Outcome.REJECT, "duplicate_content", True, 3 * 60 * MINUTE)
    human_publish = (Decision.Outcome.PUBLISH, "", True, 2 * 60 * MINUTE)
    label = (Decision.Outcome.LABEL, "undisclosed_incentive", True, 60 * MINUTE)
    for rating, decisions in [
        (1, [PUBLISH]),
        (1, [reject_insult]),
        (1, [TO_HUMAN, human_publish]),
        (1, [TO_HUMAN, human_reject]),
        (2, [PUBLISH]),
        (2, [reject_insult]),
        (3, [PUBLISH]),
        (3, [TO_HUMAN]),  # awaiting a moderator
        (4, [PUBLISH]),
        (4, [TO_HUMAN, label]),
        (4, []),  # awaiting the automated checks
        (5, [PUBLISH]),
        (5, [PUBLISH]),
        (5, [reject_insult]),
        (5, [TO_HUMAN, human_reject]),
    ]:
        make_submission(rating=rating, decisions=decisions)


OCTOBER = month_period("2026-10")


def test_counts_follow_each_review_to_its_final_decision(october):
    # when
    report = compute_transparency(period=OCTOBER)
    # then
    assert (
        report.received,
        report.pending,
        report.in_review,
        report.published,
        report.labelled,
        report.rejected,
    ) == (15, 1, 1, 8, 1, 5)
    assert {code: n for code, n in report.rejected_by_rule.items() if n} == {
        "insult": 3,
        "duplicate_content": 2,
    }
    assert "undisclosed_incentive" not in report.rejected_by_rule  # a label is not a refusal
    assert (report.decided_automatically, report.decided_by_moderators) == (9, 4)
    assert report.automated_share == 9 / 13


@pytest.mark.req("EU-4", "FTC-8", "ISO-PUB-2")
def test_the_rejection_rate_per_star_equals_a_naive_recomputation(october):
    # given: a naive recomputation, one review at a time, from the stored rows
    naive = {}
    for rating in range(1, 6):
        decided = rejected = 0
        for submission in Submission.objects.filter(kind="review", rating=rating):
            finals = [
                d for d in submission.decisions.order_by("id") if d.outcome != "send_to_human"
            ]
            if finals:
                decided += 1
                rejected += finals[-1].outcome == "reject"
        naive[rating] = rejected / decided if decided else None
    # when
    report = compute_transparency(period=OCTOBER)
    # then
    assert {f.rating: f.rejection_rate for f in report.by_rating} == naive
    assert naive == {1: 2 / 4, 2: 1 / 2, 3: 0.0, 4: 0.0, 5: 2 / 4}
    assert [(f.received, f.published) for f in report.by_rating] == [
        (4, 2),
        (2, 1),
        (2, 1),
        (3, 2),
        (4, 2),
    ]


@pytest.mark.req("NF-RES-4", "DSA-28")
def test_delay_percentiles_are_exact_nearest_ranks(make_submission, settings):
    # given: ten decisions taking 1, 2, ..., 10 hours, and a stated maximum of 8 hours
    settings.REVIEW_DECISION_MAX_DELAY = datetime.timedelta(hours=8)
    for hours in range(1, 11):
        make_submission(
            decisions=[(Decision.Outcome.PUBLISH, "", True, datetime.timedelta(hours=hours))]
        )
    # when
    delays = compute_transparency(period=OCTOBER).delays
    # then
    assert delays.count == 10
    assert delays.percentiles == {50: 5 * 3600.0, 90: 9 * 3600.0, 99: 10 * 3600.0}
    assert (delays.maximum, delays.stated_maximum) == (10 * 3600.0, 8 * 3600.0)
    assert delays.over_stated_maximum == 2


def test_nearest_rank_is_an_observed_value():
    assert nearest_rank([], 50) is None
    assert nearest_rank([7.0], 99) == 7.0
    assert [nearest_rank([1.0, 2.0, 3.0, 4.0], p) for p in (25, 50, 51, 100)] == [1, 2, 3, 4]


def test_the_period_is_whole_days_in_the_site_time_zone(make_submission):
    # given: receipts around October 2026, in Paris time
    make_submission(received_at=at(datetime.date(2026, 9, 30), 23, 59))
    make_submission(received_at=at(datetime.date(2026, 10, 1), 0, 0))
    make_submission(received_at=at(datetime.date(2026, 10, 31), 23, 59))
    make_submission(received_at=at(datetime.date(2026, 11, 1), 0, 0))
    # when / then
    assert compute_transparency(period=OCTOBER).received == 2


def test_figures_of_one_brand_and_only_reviews(make_submission, brand):
    # given
    other = BrandFactory()
    make_submission(decisions=[PUBLISH])
    make_submission(decisions=[PUBLISH], on_brand=other)
    make_submission(decisions=[PUBLISH], kind="reply")
    # when / then
    assert compute_transparency(period=OCTOBER).received == 2
    assert compute_transparency(period=OCTOBER, brand_id=brand.pk).received == 1
    assert compute_transparency(period=OCTOBER, brand_id=other.pk).published == 1


@pytest.mark.req("NF-RES-5")
def test_brand_replies_and_their_publication_delay_are_counted_apart(
    october, make_submission, settings
):
    # given: reply versions received in October: published after 1 hour, 2 days and 8 days,
    # rejected, published then removed, sent to a moderator and still waiting (since October:
    # beyond the 7 days stated), and awaiting the checks
    settings.REPLY_DECISION_MAX_DELAY = datetime.timedelta(days=7)
    hour, day = 60 * MINUTE, 24 * 60 * MINUTE
    reply = {"kind": "reply", "rating": None}
    for delay in (hour, 2 * day, 8 * day):
        make_submission(decisions=[(Decision.Outcome.PUBLISH, "", True, delay)], **reply)
    make_submission(decisions=[(Decision.Outcome.REJECT, "insult", False, MINUTE)], **reply)
    removal = (Decision.Outcome.REMOVE, "insult", True, 3 * day)
    make_submission(decisions=[PUBLISH, removal], **reply)
    make_submission(decisions=[TO_HUMAN], **reply)
    make_submission(decisions=[], **reply)
    # when: computed in November
    with time_machine.travel(at(datetime.date(2026, 11, 10)), tick=False):
        report = compute_transparency(period=OCTOBER)
    # then: the reviews' figures are those of the reviews alone
    assert (report.received, report.published, report.rejected) == (15, 8, 5)
    # and the replies'
    replies = report.as_dict()["replies"]
    assert replies == {
        "received": 7,
        "published": 3,
        "rejected": 1,
        "removed": 1,
        "pending": 2,
        "overdue": 2,
        "publication_delay_seconds": {
            "count": 4,  # the first decision published them
            "p50": 3600.0,
            "p90": 8 * 86400.0,
            "p99": 8 * 86400.0,
            "max": 8 * 86400.0,
            "stated_max": 7 * 86400.0,
            "over_stated_max": 1,
        },
    }
    assert "not_yet_available" not in report.as_dict()
    rows = {(name, dimension): value for name, dimension, value in report.rows()}
    assert rows[("replies_received", "")] == "7"
    assert rows[("reply_delay_over_stated_max", "")] == "1"
    assert rows[("reply_delay_seconds_stated_max", "")] == "604800"


@pytest.mark.req("NF-RES-5")
def test_the_page_shows_the_brand_replies(client, make_submission):
    # given
    reply = {"kind": "reply", "rating": None}
    make_submission(decisions=[(Decision.Outcome.PUBLISH, "", True, 90 * MINUTE)], **reply)
    make_submission(decisions=[(Decision.Outcome.REJECT, "insult", False, MINUTE)], **reply)
    # when
    response = client.get(
        reverse("transparency"),
        {"start": "2026-10-01", "end": "2026-10-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    html = response.content.decode()
    assert '<h2 id="replies-title">Brand replies</h2>' in html
    assert '<dd id="figure-replies-received">2</dd>' in html
    assert '<dd id="figure-replies-published">1</dd>' in html
    assert '<dd id="figure-replies-rejected">1</dd>' in html
    assert '<tr><th scope="row">Median</th><td>1.5 h</td></tr>' in html
    assert '<td id="figure-replies-late">0</td>' in html
    assert "Not in this report yet" not in html


@pytest.mark.req("ISO-MOD-2")
def test_a_removal_after_publication_is_counted_apart_and_not_as_a_delay(make_submission):
    # given: published after 1 minute, removed under "defamation" five days later
    removal = (Decision.Outcome.REMOVE, "defamation", True, datetime.timedelta(days=5))
    make_submission(decisions=[PUBLISH, removal])
    # when
    report = compute_transparency(period=OCTOBER)
    # then
    assert (report.published, report.rejected, report.removed) == (0, 0, 1)
    assert report.removed_by_rule["defamation"] == 1
    assert report.rejected_by_rule["defamation"] == 0
    assert report.delays.maximum == 60.0  # the moderation delay is the first decision's


@pytest.mark.req("DSA-28")
@pytest.mark.req("DSA-29")
def test_reports_appeals_and_misuse_sanctions_are_counted(make_submission, customer, moderator):
    # given: reports, appeals and sanctions filed in October
    submission = make_submission(decisions=[PUBLISH])
    trusted = UserFactory(is_trusted_flagger=True)

    def report(source, status, *, reporter=customer, trusted_flagger=False, hours=None):
        return Report.objects.create(
            submission=submission,
            source=source,
            reporter=reporter,
            trusted_flagger=trusted_flagger,
            rule_code="defamation",
            explanation="Propos diffamatoires envers le gérant.",
            created_at=at(DAY),
            status=status,
            decided_at=None if hours is None else at(DAY) + datetime.timedelta(hours=hours),
        )

    upheld = report("illegal_content", "upheld", reporter=trusted, trusted_flagger=True, hours=2)
    report("illegal_content", "open", reporter=None)
    dismissed = report("brand_flag", "dismissed", hours=30)
    report("code_of_conduct", "dismissed", hours=4)
    decision = Decision.objects.filter(submission=submission).get()
    for appeal_fields, status, hours in [
        ({"decision": decision}, "reversed", 24),
        ({"report": dismissed}, "upheld", 48),
    ]:
        Appeal.objects.create(
            submission=submission,
            appellant=customer,
            explanation="Je conteste.",
            created_at=at(DAY),
            status=status,
            decided_by=moderator,
            decided_at=at(DAY) + datetime.timedelta(hours=hours),
            **appeal_fields,
        )
    for kind in ("warning", "suspension"):
        ReportingSanction.objects.create(
            user=customer,
            kind=kind,
            created_at=at(DAY),
            unfounded_count=5,
            total_count=6,
            gravity="g",
            intent="i",
        )
    # when
    data = compute_transparency(period=OCTOBER).as_dict()
    # then
    assert data["reports"] == [
        {
            "source": "illegal_content",
            "filed": 2,
            "from_trusted_flaggers": 1,
            "upheld": 1,
            "dismissed": 0,
            "open": 1,
            "median_hours_to_decision": 2.0,
        },
        {
            "source": "code_of_conduct",
            "filed": 1,
            "from_trusted_flaggers": 0,
            "upheld": 0,
            "dismissed": 1,
            "open": 0,
            "median_hours_to_decision": 4.0,
        },
        {
            "source": "brand_flag",
            "filed": 1,
            "from_trusted_flaggers": 0,
            "upheld": 0,
            "dismissed": 1,
            "open": 0,
            "median_hours_to_decision": 30.0,
        },
    ]
    assert data["appeals"] == {
        "filed": 2,
        "by_authors": 1,
        "by_reporters": 1,
        "upheld": 1,
        "reversed": 1,
        "open": 0,
        "reversal_rate": 0.5,
        "median_hours_to_decision": 24.0,
    }
    assert data["reporting_misuse"] == {"warnings": 1, "suspensions": 1}
    assert upheld.pk  # the trusted flagger's notice is among those counted
    # a brand's report counts its own reports and appeals, never accounts' sanctions
    brand_data = compute_transparency(period=OCTOBER, brand_id=submission.brand_id).as_dict()
    assert brand_data["appeals"]["filed"] == 2
    assert brand_data["reporting_misuse"] == {"warnings": 0, "suspensions": 0}
    assert (
        compute_transparency(period=OCTOBER, brand_id=BrandFactory().pk).as_dict()["reports"][0][
            "filed"
        ]
        == 0
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (datetime.date(2026, 10, 2), datetime.date(2026, 10, 1), "on or before"),
        (datetime.date(2025, 1, 1), datetime.date(2026, 1, 2), "at most 366 days"),
    ],
)
def test_impossible_periods_are_refused(start, end, message):
    with translation.override("en"), pytest.raises(InvalidPeriod, match=message):
        make_period(start=start, end=end)


@pytest.mark.parametrize(
    ("today", "start", "days"),
    [
        (datetime.date(2026, 3, 10), datetime.date(2025, 3, 11), 365),
        (datetime.date(2028, 2, 29), datetime.date(2027, 3, 1), 366),
        (datetime.date(2028, 3, 1), datetime.date(2027, 3, 2), 366),
    ],
)
def test_the_last_twelve_months_are_a_period_the_report_accepts(today, start, days):
    period = last_twelve_months(today=today)
    assert (period.start, period.end, period.days) == (start, today, days)


def test_the_default_period_is_the_last_30_days():
    period = make_period()
    assert (period.end, period.days) == (timezone.localdate(), 30)


@pytest.mark.req("DSA-28")
def test_api_returns_the_report_in_pinned_queries(october, django_assert_num_queries):
    # given
    api = APIClient()
    # when
    # submissions, decisions, reports, appeals, misuse sanctions
    with django_assert_num_queries(5):
        response = api.get(
            reverse("api-transparency"), {"start": "2026-10-01", "end": "2026-10-31"}
        )
    # then
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(compute_transparency(period=OCTOBER).as_dict()))


def test_api_filters_by_brand(october, make_submission, brand):
    other = BrandFactory()
    make_submission(decisions=[PUBLISH], on_brand=other)
    response = APIClient().get(
        reverse("api-transparency"),
        {"start": "2026-10-01", "end": "2026-10-31", "brand_id": other.pk},
    )
    assert (response.json()["received"], response.json()["brand_id"]) == (1, other.pk)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"end": "hier"}, "end"),
        ({"start": "2026-10-31", "end": "2026-10-01"}, "detail"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "detail"),
        ({"brand_id": "abc"}, "brand_id"),
        ({"brand_id": "0"}, "brand_id"),
    ],
)
def test_api_refuses_bad_parameters_clearly(db, params, field):
    response = APIClient().get(reverse("api-transparency"), params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.req("EU-4", "FTC-8", "ISO-PUB-2", "DSA-28")
def test_the_page_shows_the_figures_charts_and_downloads(client, october):
    # when
    response = client.get(
        reverse("transparency"),
        {"start": "2026-10-01", "end": "2026-10-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="figure-received">15</dd>' in html
    assert "8 reviews published out of 15 received." in html
    assert html.count('role="img"') == 3
    assert '<title id="chart-rejection-rate-title">Rejection rate per star rating</title>' in html
    rates = re.findall(r"<tr>\s*<th scope=\"row\">\d stars?</th>(?:\s*<td>[^<]*</td>){5}", html)
    assert len(rates) == 5
    assert rates[0].split("<td>")[-1].startswith("0.5")
    assert 'href="/transparence/rapport.csv?start=2026-10-01&amp;end=2026-10-31"' in html
    assert 'href="/api/v1/transparency/?start=2026-10-01&amp;end=2026-10-31"' in html


@pytest.mark.req("EU-4")
def test_the_page_shows_the_figures_of_one_brand(client, october, make_submission, brand):
    # given: one more review, of another brand
    other = BrandFactory(name="Fromagerie Beta")
    make_submission(decisions=[PUBLISH], on_brand=other)
    # when
    response = client.get(
        reverse("transparency"),
        {"start": "2026-10-01", "end": "2026-10-31", "brand_id": other.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then: its figures only, and the downloads and the period form keep the brand
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="figure-received">1</dd>' in html
    assert "Only the reviews of the brand Fromagerie Beta." in html
    assert (
        'href="/transparence/?start=2026-10-01&amp;end=2026-10-31">See the report for all' in html
    )
    query = f"start=2026-10-01&amp;end=2026-10-31&amp;brand_id={other.pk}"
    assert f'href="/transparence/rapport.csv?{query}"' in html
    assert f'href="/api/v1/transparency/?{query}"' in html
    assert f'<input type="hidden" name="brand_id" value="{other.pk}"' in html
    # and the page of every brand still counts it
    everyone = client.get(reverse("transparency"), {"start": "2026-10-01", "end": "2026-10-31"})
    assert '<dd id="figure-received">16</dd>' in everyone.content.decode()
    assert 'name="brand_id"' not in everyone.content.decode()


def test_the_csv_download_of_one_brand(client, october, brand):
    response = client.get(
        reverse("transparency-csv"),
        {"start": "2026-10-01", "end": "2026-10-31", "brand_id": brand.pk},
    )
    assert response.status_code == 200
    assert response.content.decode() == (
        compute_transparency(period=OCTOBER, brand_id=brand.pk).as_csv()
    )
    assert f"brand_id,,{brand.pk}\n" in response.content.decode()
    assert (
        f'filename="voix-transparency-brand-{brand.pk}-2026-10-01-2026-10-31.csv"'
        in (response["Content-Disposition"])
    )


@pytest.mark.parametrize(
    ("brand_id", "message"),
    [
        ("abc", "Brand: Enter a whole number."),
        ("0", "Brand: Ensure this value is greater"),
        ("999999", "No brand has the number 999999."),
    ],
)
def test_the_page_explains_a_bad_brand(client, db, brand_id, message):
    response = client.get(
        reverse("transparency"), {"brand_id": brand_id}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<div role="alert" class="error"><p>{message}' in html
    assert 'id="figure-received"' not in html
    assert 'name="brand_id"' not in html


@pytest.mark.parametrize(
    "params", [{"start": "pas-une-date"}, {"start": "2026-10-31", "end": "2026-10-01"}]
)
def test_the_page_explains_bad_parameters(client, db, params):
    response = client.get(reverse("transparency"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'id="figure-received"' not in html


def test_the_csv_download_is_the_report(client, october):
    response = client.get(reverse("transparency-csv"), {"start": "2026-10-01", "end": "2026-10-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode() == compute_transparency(period=OCTOBER).as_csv()
    assert "rejection_rate_by_rating,1,0.5\n" in response.content.decode()


def test_the_csv_download_refuses_bad_parameters(client, db):
    response = client.get(reverse("transparency-csv"), {"end": "2026-02-30"})
    assert response.status_code == 400


@pytest.mark.req("DSA-28")
def test_the_command_prints_the_same_figures(october):
    # when
    out = StringIO()
    call_command("transparency_report", "--period", "2026-10", "--format", "json", stdout=out)
    text = StringIO()
    call_command("transparency_report", "--start", "2026-10-01", "--end", "2026-10-31", stdout=text)
    # then
    expected = compute_transparency(period=OCTOBER)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(expected.as_dict()))
    assert "received" in text.getvalue()
    lines = dict(line.split() for line in text.getvalue().splitlines() if len(line.split()) == 2)
    assert lines["received"] == "15"
    assert lines["rejection_rate_by_rating[1]"] == "0.5"


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "2026-13"],
        ["--period", "octobre"],
        ["--start", "2026-10-32"],
        ["--period", "2026-10", "--start", "2026-10-01"],
    ],
)
def test_the_command_refuses_bad_periods(db, args):
    with pytest.raises(CommandError):
        call_command("transparency_report", *args, stdout=StringIO())


def _contrast(foreground: str, background: str = "#ffffff") -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_charts_colours_are_readable_on_white():
    # axe cannot check text inside an SVG (tests/browser/conftest.py): the contrast is checked here
    from moderation.charts import BAR_COLOUR, REFERENCE_COLOUR, TEXT_COLOUR, bar_chart

    assert _contrast(TEXT_COLOUR) >= 4.5
    assert _contrast(REFERENCE_COLOUR) >= 4.5
    assert _contrast(BAR_COLOUR) >= 3  # a graphical object (WCAG 1.4.11)
    svg = bar_chart(chart_id="c", title="T", description="D", bars=[], scale_max=1)
    assert f'fill="{TEXT_COLOUR}"' in svg
    assert svg.startswith('<svg class="chart" role="img" aria-labelledby="c-title c-desc"')
