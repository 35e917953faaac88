"""Brand replies on the web: the brand's workspace list and its reply forms, the reply under the
review on public pages, the "with a reply" filter and the review's public history."""

import datetime
import html as html_module
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from moderation.models import Report, WorkItem
from reviews.models import Reply, ReplyVersion
from tests.reviews.publishing import submit_and_decide
from tests.reviews.replying import (
    CLEAN_REPLY,
    ROLES,
    UPDATED_REPLY,
    reply,
    update,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def review(answerable_review):
    return answerable_review


@pytest.fixture
def people(people_by_role):
    return people_by_role


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def log_in(client, user):
    """Log in a user who reads English (the interface follows the account's language)."""
    user.language = "en"
    user.save()
    client.force_login(user)


def workspace_url(brand, **query: str) -> str:
    url = reverse("reviews:brand-reviews", args=[brand.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def card_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="review-card" id="review-(\d+)"', html)]


def replies_shown(html: str) -> list[str]:
    return [
        html_module.unescape(" ".join(text.split()))
        for text in re.findall(r'<p class="reply-text"[^>]*>(.*?)</p>', html, flags=re.S)
    ]


# The brand's workspace


def test_visitors_are_sent_to_log_in(client, brand):
    response = client.get(workspace_url(brand))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_only_the_brands_members_see_its_workspace(client, brand, people, role, allowed):
    client.force_login(people[role])
    response = client.get(workspace_url(brand))
    assert response.status_code == (200 if allowed else 403)


def test_an_unknown_brand_is_404(client, brand_owner):
    client.force_login(brand_owner)
    assert client.get(reverse("reviews:brand-reviews", args=["inconnue"])).status_code == 404


def test_the_workspace_lists_reviews_newest_first_with_their_reply(
    english, brand, brand_owner, moderator, review
):
    # given: an older review with a reply, a newer one without, one with a pending reply
    reply(review, brand_owner)
    newer = submit_and_decide(brand=brand, moderator=moderator)
    pending = submit_and_decide(brand=brand, moderator=moderator)
    reply(pending, brand_owner, text="Notre avocat vous contactera.")
    log_in(english, brand_owner)
    # when
    html = english.get(workspace_url(brand)).content.decode()
    # then
    assert card_ids(html) == [pending.pk, newer.pk, review.pk]
    cards = dict(zip(card_ids(html), html.split('<article class="review-card"')[1:], strict=True))
    assert "Version 1 of the reply is being checked" in cards[pending.pk]
    assert f'action="{reverse("reviews:reply", args=[newer.pk])}"' in cards[newer.pk]
    assert "No reply yet." in cards[newer.pk]
    assert "Published on" in cards[review.pk]
    assert f'action="{reverse("reviews:reply-update", args=[review.pk])}"' in cards[review.pk]
    assert "<form" not in cards[pending.pk]  # one version is checked at a time
    assert replies_shown(cards[review.pk]) == [CLEAN_REPLY]


@pytest.mark.parametrize(("query", "expected"), [("yes", ["replied"]), ("no", ["unreplied"])])
def test_the_workspace_filters_replied_and_unreplied(
    english, brand, brand_owner, moderator, review, query, expected
):
    # given
    reply(review, brand_owner)
    reviews = {"replied": review, "unreplied": submit_and_decide(brand=brand, moderator=moderator)}
    log_in(english, brand_owner)
    # when
    html = english.get(workspace_url(brand, replied=query)).content.decode()
    # then
    assert card_ids(html) == [reviews[name].pk for name in expected]


def test_a_bad_filter_value_is_ignored_with_a_message(english, brand, brand_owner, review):
    log_in(english, brand_owner)
    html = english.get(workspace_url(brand, replied="peut-etre")).content.decode()
    assert "they were ignored: Reply." in html
    assert card_ids(html) == [review.pk]


def test_the_workspace_reads_a_fixed_number_of_queries(
    client, brand, brand_owner, moderator, review, django_assert_num_queries
):
    # given: more than a page of reviews, half of them answered
    reviews = [submit_and_decide(brand=brand, moderator=moderator) for _ in range(22)]
    for answered in reviews[::2]:
        reply(answered, brand_owner)
    client.force_login(brand_owner)
    # when / then: session, user, brand, places, membership, count, page
    with django_assert_num_queries(7):
        response = client.get(workspace_url(brand))
    assert len(card_ids(response.content.decode())) == 20


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_every_role_on_the_reply_form(client, brand, people, review, role, allowed):
    # given
    client.force_login(people[role])
    next_url = workspace_url(brand) + f"#review-{review.pk}"
    # when
    response = client.post(
        reverse("reviews:reply", args=[review.pk]), {"text": CLEAN_REPLY, "next": next_url}
    )
    # then: back to the list, with what happened
    assert response.status_code == 302
    assert response.url == next_url
    assert Reply.objects.filter(pk=review.pk).exists() == allowed


def test_a_member_replies_then_updates_on_the_web(
    english, brand, brand_agent, review, django_capture_on_commit_callbacks
):
    # given
    log_in(english, brand_agent)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(
            reverse("reviews:reply", args=[review.pk]), {"text": CLEAN_REPLY}, follow=True
        )
    # then: published by the pipeline, and the member told by when it is decided at the latest
    html = response.content.decode()
    assert "Your reply was received." in html
    assert ReplyVersion.objects.get().status == "published"
    # when: updated
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(
            reverse("reviews:reply-update", args=[review.pk]),
            {"text": UPDATED_REPLY, "next": workspace_url(brand)},
            follow=True,
        )
    # then
    assert [v.status for v in ReplyVersion.objects.order_by("number")] == ["published"] * 2
    assert "Your reply was received." in response.content.decode()
    html = english.get(workspace_url(brand)).content.decode()
    assert replies_shown(html) == [UPDATED_REPLY]
    # when: a second reply, or an empty one
    for url, text, message in [
        (
            reverse("reviews:reply", args=[review.pk]),
            "Autre réponse",
            "The brand already replied to this review: update its reply instead.",
        ),
        (reverse("reviews:reply-update", args=[review.pk]), "", "This field is required."),
    ]:
        response = english.post(url, {"text": text}, follow=True)
        # then: refused with a message; nothing stored
        assert [str(m) for m in response.context["messages"]] == [message]
    assert ReplyVersion.objects.count() == 2


def test_the_reply_forms_refuse_get_and_visitors(client, review):
    url = reverse("reviews:reply", args=[review.pk])
    assert client.post(url, {"text": CLEAN_REPLY}).status_code == 302
    assert not Reply.objects.exists()
    client.force_login(review.author)
    assert client.get(url).status_code == 405


def test_my_brands_links_to_the_workspace(client, brand, brand_owner):
    client.force_login(brand_owner)
    html = client.get(reverse("brands:mine")).content.decode()
    assert f'href="{workspace_url(brand)}"' in html


# Public pages


def brand_page(client, brand, **query: str) -> str:
    url = reverse("brand-detail", args=[brand.slug])
    query_string = "&".join(f"{k}={v}" for k, v in query.items())
    response = client.get(url + (f"?{query_string}" if query_string else ""))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.req("NF-RES-5")
def test_the_public_page_shows_the_latest_published_version_with_updated_on(
    english, brand, brand_owner, review
):
    # given: a reply on 2 March, updated on 5 March; then an update refused on 6 March
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=PARIS), tick=False):
        reply(review, brand_owner)
    html = brand_page(english, brand)
    assert replies_shown(html) == [CLEAN_REPLY]
    assert "Replied on <time" in html
    assert "updated on" not in html
    with time_machine.travel(datetime.datetime(2026, 3, 5, 12, tzinfo=PARIS), tick=False):
        update(review, brand_owner)
    with time_machine.travel(datetime.datetime(2026, 3, 6, 12, tzinfo=PARIS), tick=False):
        update(review, brand_owner, text="Quel abruti, ce client.")
    # when
    html = brand_page(english, brand)
    # then
    assert replies_shown(html) == [UPDATED_REPLY]
    assert "Reply from Boulangerie Dupain" in html
    dates = " ".join(re.search(r'<p class="reply-dates">(.*?)</p>', html, re.S).group(1).split())
    assert dates == (
        'Replied on <time datetime="2026-03-02T12:00:00+01:00">March 2, 2026</time> · '
        'updated on <time datetime="2026-03-05T12:00:00+01:00">March 5, 2026</time>'
    )


def test_a_reply_not_yet_published_is_not_shown(english, brand, brand_owner, review):
    reply(review, brand_owner, text="Nous porterons plainte pour diffamation.")
    html = brand_page(english, brand)
    assert replies_shown(html) == []
    assert "Reply from" not in html


@pytest.mark.parametrize(("query", "expected"), [("yes", ["replied"]), ("no", ["unreplied"])])
def test_the_with_a_reply_filter_on_the_brand_page(
    english, brand, brand_owner, moderator, review, query, expected
):
    # given: a reply published, one refused (the public sees none: "without a reply")
    reply(review, brand_owner)
    refused = submit_and_decide(brand=brand, moderator=moderator)
    reply(refused, brand_owner, text="Espèce de connard.")
    reviews = {"replied": review, "unreplied": refused}
    # when
    html = brand_page(english, brand, reply=query)
    # then
    assert sorted(card_ids(html)) == sorted(reviews[name].pk for name in expected)
    assert "were ignored" not in html


def test_the_brand_page_reads_the_same_queries_with_replies(
    client, brand, brand_owner, moderator, review, django_assert_num_queries
):
    # given: 25 reviews, some answered, some updated
    reviews = [review] + [submit_and_decide(brand=brand, moderator=moderator) for _ in range(24)]
    for answered in reviews[::3]:
        reply(answered, brand_owner)
    update(reviews[-1], brand_owner)
    cache.clear()
    # when / then: the same nine queries as without replies (tests/reviews/test_public_pages.py)
    with django_assert_num_queries(9):
        response = client.get(reverse("brand-detail", args=[brand.slug]))
    assert len(replies_shown(response.content.decode())) == len(
        [r for r in reviews[5:] if Reply.objects.filter(pk=r.pk).exists()]
    )


# The review's public history


def test_the_history_shows_the_brand_replied_and_updated_with_dates(
    english, brand_owner, review, django_assert_num_queries
):
    # given
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=PARIS), tick=False):
        reply(review, brand_owner)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 12, tzinfo=PARIS), tick=False):
        update(review, brand_owner)
    # a refused version is not public
    update(review, brand_owner, text="Espèce de connard.")
    # when
    with django_assert_num_queries(2):
        response = english.get(reverse("review-history", args=[review.pk]))
    html = response.content.decode()
    # then
    entries = re.findall(
        r'<li class="timeline-entry entry-(\w+)"[^>]*>\s*<p><time datetime="([^"]+)"', html
    )
    replies = [(kind, at) for kind, at in entries if kind.startswith("repl")]
    assert replies == [
        ("replied", "2026-03-02T12:00:00+01:00"),
        ("reply_updated", "2026-03-05T12:00:00+01:00"),
    ]
    assert "The brand replied" in html
    assert "The brand updated its reply" in html
    assert replies_shown(html) == [UPDATED_REPLY]
    assert "connard" not in html


# Reporting a reply


def report_reply_url(review) -> str:
    return reverse("reviews:reply-report", args=[review.pk])


@pytest.mark.req("DSA-4")
def test_a_published_reply_links_to_its_report_page(client, brand, brand_owner, review):
    reply(review, brand_owner)
    assert f'href="{report_reply_url(review)}"' in brand_page(client, brand)
    assert client.get(report_reply_url(review)).status_code == 200


def test_no_report_page_without_a_published_reply(client, brand_owner, review):
    assert client.get(report_reply_url(review)).status_code == 404
    reply(review, brand_owner, text="Nous porterons plainte contre vous.")
    assert client.get(report_reply_url(review)).status_code == 404


@pytest.mark.req("DSA-4", "DSA-5")
def test_a_visitor_notifies_a_reply_as_illegal(
    client, brand_owner, review, django_capture_on_commit_callbacks
):
    # given
    version = reply(review, brand_owner)
    mail.outbox.clear()  # the reviewer's email about the reply
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            report_reply_url(review),
            {
                "notice-source": "illegal_content",
                "notice-explanation": "Cette réponse accuse publiquement le client d'un vol.",
                "notice-location_url": f"{settings.SITE_URL}/avis/{review.pk}/historique/",
                "notice-notifier_name": "Jeanne Martin",
                "notice-notifier_email": "jeanne.martin@example.net",
                "notice-good_faith_confirmed": "on",
            },
        )
    # then: filed on the version shown, queued for a moderator, acknowledged
    assert (response.status_code, response.url) == (302, reverse("reviews:report-filed"))
    report = Report.objects.get()
    assert (report.submission.kind, report.submission.object_id, report.source) == (
        "reply",
        str(version.pk),
        "illegal_content",
    )
    assert WorkItem.objects.filter(report=report, kind="report").exists()
    assert [m.to for m in mail.outbox] == [["jeanne.martin@example.net"]]


def test_a_member_reports_a_reply_under_a_rule_for_replies(
    english, brand, brand_owner, customer, review
):
    # given
    version = reply(review, brand_owner)
    log_in(english, customer)
    html = english.get(report_reply_url(review)).content.decode()
    assert 'value="pressure_to_withdraw"' in html
    assert 'value="duplicate_content"' not in html
    # when
    response = english.post(
        report_reply_url(review),
        {
            "conduct-source": "code_of_conduct",
            "conduct-rule_code": "pressure_to_withdraw",
            "conduct-explanation": "La marque m'a écrit en privé pour que je retire mon avis.",
        },
    )
    # then
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.submission.object_id, report.rule_code, report.reporter) == (
        str(version.pk),
        "pressure_to_withdraw",
        customer,
    )


def test_the_replys_author_cannot_report_it(english, brand_owner, review):
    reply(review, brand_owner)
    log_in(english, brand_owner)
    html = english.get(report_reply_url(review)).content.decode()
    assert "You wrote this reply: you cannot report it." in html
    assert "<form" not in html.split("<main", 1)[-1].split("</main>")[0]
