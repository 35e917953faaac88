"""The information pages state what the settings and the rule registry say, never a copy."""

import datetime
import json
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from moderation.information import describe_duration, load_conformance, rating_window_months
from moderation.rules import RULES, Action, rules_for_kind
from reviews.models import Review
from tests.conformance import write_report
from tests.conftest import ROOT, requirement_ids

INFO_PAGES = ["how-reviews-work", "rating-method", "independence", "commitments", "transparency"]


def page(client, name, language="en"):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html, css_class):
    match = re.search(rf'class="{css_class}">(.*?)</', html, re.S)
    assert match, css_class
    return " ".join(match.group(1).split())


@pytest.mark.req("FR-10", "NF-RES-4", "NF-MOD-1")
def test_the_stated_delays_follow_the_settings(client, db, settings):
    # given
    settings.REVIEW_DECISION_MAX_DELAY = datetime.timedelta(days=3)
    settings.REVIEW_RETENTION = datetime.timedelta(days=2 * 365)
    # when
    html = page(client, "how-reviews-work")
    # then
    assert text_of(html, "decision-max-delay").startswith("3 days after it is submitted")
    assert text_of(html, "retention").startswith("2 years: published reviews for 2 years")
    # and when the operator changes them again, the page follows
    settings.REVIEW_DECISION_MAX_DELAY = datetime.timedelta(hours=48)
    settings.REVIEW_RETENTION = datetime.timedelta(days=400)
    html = page(client, "how-reviews-work")
    assert text_of(html, "decision-max-delay").startswith("2 days after it is submitted")
    assert text_of(html, "retention").startswith("400 days: published reviews for 400 days")


@pytest.mark.req("FR-15", "NF-MOD-1", "FTC-8")
def test_the_reasons_for_refusal_are_the_rules_of_the_registry(client, db):
    # when
    html = page(client, "how-reviews-work")
    # then
    refusal = re.findall(r'<li id="reason-([a-z_]+)" data-rule-code', html)
    labels = re.findall(r'<li id="label-([a-z_]+)">', html)
    for_reviews = {rule.code: rule for rule in rules_for_kind("review")}
    assert refusal == [code for code, rule in for_reviews.items() if rule.action != Action.LABEL]
    assert labels == [code for code, rule in for_reviews.items() if rule.action == Action.LABEL]
    assert set(refusal) | set(labels) == set(for_reviews)
    assert "pressure_to_withdraw" not in refusal  # a rule for brands' replies only
    assert f"<strong>{RULES['insult'].title_en}</strong>" in html


@pytest.mark.req("FR-9", "EU-2")
def test_the_counterpart_sentence_comes_from_the_settings(client, db, settings):
    # given: the default, no counterpart
    assert text_of(page(client, "how-reviews-work"), "counterpart") == (
        "Counterpart given by Voix for a review: none. Voix never pays or rewards anyone for a "
        "review."
    )
    # when the platform offers one
    settings.REVIEW_COUNTERPART = "a monthly prize draw among all authors"
    # then
    assert text_of(page(client, "how-reviews-work"), "counterpart") == (
        "Counterpart given by Voix for a review: a monthly prize draw among all authors."
    )


@pytest.mark.req("FR-16", "EU-1", "FR-12")
def test_the_badges_glossary_uses_the_badge_labels(client, db):
    # when
    html = page(client, "how-reviews-work")
    # then
    glossary = re.findall(r"<dt>(.*?)</dt>", html.split('class="facts glossary"')[1])[:3]
    with translation.override("en"):
        assert glossary == [
            str(Review.Verification.INVITATION.label),
            str(Review.Verification.DOCUMENT.label),
            "No badge",
        ]


@pytest.mark.req("FR-12", "FR-13", "FR-14", "EU-2", "NF-MOD-2", "FR-1", "DSA-2")
def test_the_page_states_how_reviews_are_checked_contacted_and_changed(client, db, settings):
    # given
    settings.REVIEW_EXPERIENCE_MAX_AGE = datetime.timedelta(days=180)
    # when
    html = " ".join(page(client, "how-reviews-work").split())
    # then
    for statement in [
        "Every review is checked <strong>before</strong> it is published (a priori moderation).",
        "<strong>Automated checks</strong> run first.",
        "<strong>Moderators</strong>, people who master the language of the review",
        "All reviews that follow the code of conduct are published, positive or negative.",
        "it cannot be in the future or older than 180 days.",
        "Voix may contact an author by email about the moderation of their review",
        "A review cannot be modified, by its author, the brand or Voix. Its author can withdraw",
        "By default, reviews are listed newest first, by date of publication.",
    ]:
        assert statement in html
    automatic = re.findall(r"#rule-([a-z_]+)\">", html.split('class="automatic-rules"')[1])
    of_reviews = [
        code for code, rule in RULES.items() if rule.automatic and rule.applies_to("review")
    ]
    assert automatic[: len(of_reviews)] == of_reviews


@pytest.mark.req("NF-RES-3")
def test_the_rating_method_states_the_period_of_the_settings(client, db, settings):
    # given
    settings.RATING_WINDOW = datetime.timedelta(days=182)
    # when
    html = page(client, "rating-method")
    # then
    assert "arithmetic mean of the stars (1 to 5) of its reviews published during the rating" in (
        text_of(html, "rating-formula")
    )
    assert text_of(html, "rating-period") == (
        "The period is made of calendar months of publication (Europe/Paris time): the current "
        "month so far and the 6 months before it (182 days, in whole months)."
    )
    assert text_of(html, "rating-refresh").startswith(
        "At once: a rating is updated as soon as a review is published or leaves publication"
    )

    assert text_of(html, "page-refresh").endswith("is refreshed within 60 seconds.")
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    assert text_of(page(client, "rating-method"), "page-refresh").endswith(
        "is refreshed within 30 seconds."
    )


@pytest.mark.req("NF-RES-3")
@pytest.mark.parametrize("days", [30, 182, 365, 730])
def test_the_stated_period_is_the_one_ratings_use(settings, days):
    from reviews.ratings import window_months

    settings.RATING_WINDOW = datetime.timedelta(days=days)
    assert rating_window_months() == window_months()


@pytest.mark.req("FTC-6", "ISO-GEN-3")
def test_the_independence_page_discloses_ownership_and_what_money_cannot_buy(client, db):
    html = " ".join(page(client, "independence").split())
    assert "Voix is an open-source project" in html
    assert "No paid plan, now or later, changes the order of reviews, a rating or moderation." in (
        html
    )
    assert "Brands cannot pay to remove a review" in html


@pytest.mark.req("ISO-GEN-1", "ISO-GEN-2")
def test_the_commitments_page_lists_every_requirement_with_its_tests(client, db):
    # given: the committed report
    document = json.loads((ROOT / "docs" / "conformance.json").read_text(encoding="utf-8"))
    # when
    html = page(client, "commitments")
    # then
    assert re.findall(r'<article id="req-([A-Z0-9-]+)"', html) == list(requirement_ids())
    assert [r["id"] for r in document["requirements"]] == list(requirement_ids())
    proved = next(r for r in document["requirements"] if r["tests"])
    assert f"<code>{proved['tests'][0]}</code>" in html
    for principle in [
        "Integrity",
        "Accuracy",
        "Privacy",
        "Security",
        "Transparency",
        "Accessibility",
        "Responsiveness",
    ]:
        assert f"<dt>{principle}</dt>" in html
    linked = set(re.findall(r'<a href="#req-([A-Z0-9-]+)">', html))
    assert linked <= set(requirement_ids())


def test_the_commitments_page_says_so_when_the_report_is_missing(client, db, monkeypatch):
    monkeypatch.setattr("moderation.public_views.load_conformance", lambda: None)
    html = page(client, "commitments")
    assert "The list of requirements is not available right now." in html
    assert load_conformance(ROOT / "docs" / "no-such-file.json") is None


def test_the_conformance_report_is_also_written_as_json(tmp_path):
    # given: two collected tests, one proving two requirements
    known = requirement_ids()

    def item(nodeid, *ids):
        marks = [SimpleNamespace(args=ids)] if ids else []
        return SimpleNamespace(nodeid=nodeid, iter_markers=lambda name: marks)

    items = [item("tests/a.py::test_a", "FR-9", "FR-10"), item("tests/b.py::test_b")]
    # when
    write_report(tmp_path / "conformance.md", items, known)  # type: ignore[arg-type]
    # then
    document = json.loads((tmp_path / "conformance.json").read_text(encoding="utf-8"))
    assert (document["covered"], document["total"]) == (2, len(known))
    fr9 = next(r for r in document["requirements"] if r["id"] == "FR-9")
    assert set(fr9) == {"id", "section", "source", "requirement", "how", "tests"}
    assert (fr9["source"], fr9["tests"]) == ("D111-17 2° a) [T]", ["tests/a.py::test_a"])
    assert fr9["requirement"] == known["FR-9"]
    assert fr9["section"].startswith("French Code de la consommation")


@pytest.mark.req("FR-1", "ISO-GEN-2")
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_links_the_information_pages_from_its_footer(client, db, language):
    # when
    html = page(client, "home", language)
    footer = html.split('<footer class="site-footer">')[1]
    # then
    hrefs = re.findall(r'<a href="([^"]+)"', footer)
    assert hrefs[:6] == [
        reverse("how-reviews-work"),
        reverse("rating-method"),
        reverse("code-of-conduct"),
        reverse("transparency"),
        reverse("independence"),
        reverse("commitments"),
    ]


@pytest.mark.parametrize("name", INFO_PAGES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_information_pages_open_in_both_languages(client, db, name, language):
    assert f'<html lang="{language}">' in page(client, name, language)


def test_the_code_of_conduct_links_to_its_versions(client, db):
    html = page(client, "code-of-conduct")
    assert '<a href="#changes">' in html
    assert '<h2 id="changes">' in html
    assert '<li id="version-2026.1">' in html


@pytest.mark.parametrize(
    ("delay", "expected"),
    [
        (datetime.timedelta(days=7), "7 days"),
        (datetime.timedelta(days=1), "1 day"),
        (datetime.timedelta(days=3 * 365), "3 years"),
        (datetime.timedelta(days=365), "1 year"),
        (datetime.timedelta(hours=36), "36 hours"),
        (datetime.timedelta(minutes=90), "90 minutes"),
    ],
)
def test_delays_are_stated_as_people_say_them(delay, expected):
    with translation.override("en"):
        assert describe_duration(delay) == expected
