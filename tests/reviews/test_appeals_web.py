"""The statement of reasons in the author's account, the forms to contest a decision (the
author's and a reporter's), and "My reviews" (DSA art. 17, 20), for every role."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.emails import html_to_text
from moderation.models import Appeal
from moderation.statements import ODS_BODIES_URL
from tests.factories import MembershipFactory, UserFactory
from tests.moderation.restrictions import (
    appeal,
    dismissed_notice,
    english_date,
    published,
    rejected_by_pipeline,
    removed_after_notice,
    statement_of,
)

EXPLANATION = "Mon avis décrit fidèlement ce que j'ai vécu ce jour-là."


@pytest.fixture
def author(db):
    return UserFactory(language="en", pseudonym="Robin")


@pytest.fixture
def rejected(author, brand):
    return rejected_by_pipeline(author=author, brand=brand)


def text_of(response) -> str:
    return html_to_text(response.content.decode())


def statement_url(review) -> str:
    return reverse("reviews:statement", args=[review.pk])


def appeal_url(review) -> str:
    return reverse("reviews:appeal", args=[review.pk])


@pytest.mark.req("DSA-9", "DSA-15", "DSA-17")
def test_the_author_reads_the_statement_in_their_account(client, rejected, author):
    # given
    client.force_login(author)
    statement = statement_of(rejected)
    # when
    response = client.get(statement_url(rejected))
    # then: the same statement as the email, with relative links
    assert response.status_code == 200
    lines = text_of(response).splitlines()
    deadline = english_date(statement.informed_at + settings.APPEAL_WINDOW)
    for line in [
        f"Decision on your review “{rejected.title}”",
        "Statement of reasons",
        "Restriction: Refused before publication: your review is not published.",
        "Detected by automated means: Yes.",
        f"- Appeal to Voix: You can contest it free of charge until {deadline} (six months) "
        "with this form; a moderator who did not take this decision will examine it: Contest "
        f"this decision <{appeal_url(rejected)}>",
        f"Read this rule in the code of conduct <{reverse('code-of-conduct')}#rule-insult>",
    ]:
        assert line in lines
    assert f'href="{ODS_BODIES_URL}"' in response.content.decode()


def _other(role, brand, customer, moderator, operator, brand_owner, brand_agent):
    if role == "moderator of the brand":
        tied = UserFactory(role="moderator", moderation_languages=["fr", "en"])
        MembershipFactory(brand=brand, user=tied)
        return tied
    return {
        "customer": customer,
        "brand owner": brand_owner,
        "brand agent": brand_agent,
        "moderator": moderator,
        "operator": operator,
    }[role]


ROLES = [
    "customer",
    "brand owner",
    "brand agent",
    "moderator",
    "moderator of the brand",
    "operator",
]


@pytest.mark.req("DSA-9")
@pytest.mark.parametrize("role", ROLES)
def test_nobody_else_sees_the_statement_or_contests_it(
    client, rejected, brand, customer, moderator, operator, brand_owner, brand_agent, role
):
    # given
    client.force_login(_other(role, brand, customer, moderator, operator, brand_owner, brand_agent))
    # when
    responses = [
        client.get(statement_url(rejected)),
        client.get(appeal_url(rejected)),
        client.post(appeal_url(rejected), {"explanation": EXPLANATION}),
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert Appeal.objects.count() == 0


def test_a_visitor_is_asked_to_log_in(client, rejected):
    for url in (statement_url(rejected), appeal_url(rejected)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_review_never_restricted_has_no_statement(client, author, brand):
    review = published(author=author, brand=brand)
    client.force_login(author)
    assert client.get(statement_url(review)).status_code == 404
    assert client.get(appeal_url(review)).status_code == 404
    assert client.get(reverse("reviews:statement", args=[review.pk + 100])).status_code == 404


@pytest.mark.req("DSA-17")
def test_the_author_contests_the_decision_with_the_form(client, rejected, author):
    # given
    client.force_login(author)
    form = client.get(appeal_url(rejected))
    assert form.status_code == 200
    assert "Why do you contest this decision?" in form.content.decode()
    # when
    response = client.post(appeal_url(rejected), {"explanation": EXPLANATION}, follow=True)
    # then
    filed = Appeal.objects.get()
    assert (filed.appellant, filed.decision_id, filed.explanation) == (
        author,
        statement_of(rejected).decision_id,
        EXPLANATION,
    )
    assert response.redirect_chain == [(statement_url(rejected), 302)]
    due = english_date(filed.created_at + settings.APPEAL_DECISION_MAX_DELAY)
    text = text_of(response)
    assert (
        "Your appeal was received. A moderator who did not take the decision will examine it by "
        f"{due} at the latest; you will be told the outcome by email." in text
    )
    assert "You contested this decision: a moderator who did not take it is examining" in text


def test_an_empty_appeal_is_refused(client, rejected, author):
    client.force_login(author)
    response = client.post(appeal_url(rejected), {"explanation": "   "})
    assert response.status_code == 400
    assert response.context["form"].errors["explanation"]
    assert Appeal.objects.count() == 0


@pytest.mark.req("DSA-17")
def test_after_six_months_the_form_says_the_appeal_is_closed(client, rejected, author):
    # given
    deadline = statement_of(rejected).informed_at + settings.APPEAL_WINDOW
    with time_machine.travel(deadline + datetime.timedelta(minutes=1), tick=False):
        client.force_login(author)
        # when
        page = client.get(appeal_url(rejected))
        response = client.post(appeal_url(rejected), {"explanation": EXPLANATION})
    # then: no form, a clear message, nothing stored
    assert page.status_code == 200
    assert "<textarea" not in page.content.decode()
    assert f"The six months to contest this decision ended on {english_date(deadline)}." in text_of(
        page
    )
    assert response.status_code == 400
    assert "The six months to contest this decision are over." in text_of(response)
    assert Appeal.objects.count() == 0


@pytest.mark.req("DSA-17")
def test_a_second_appeal_is_refused_with_a_clear_message(client, rejected, author):
    appeal(author, decision_id=statement_of(rejected).decision_id)
    client.force_login(author)
    response = client.post(appeal_url(rejected), {"explanation": EXPLANATION})
    assert response.status_code == 409
    assert "You already contested this decision." in text_of(response)
    assert Appeal.objects.count() == 1


@pytest.mark.req("DSA-17")
def test_a_reporter_contests_the_dismissal_of_their_report(client, brand, moderator):
    # given
    reporter = UserFactory(language="en")
    report = dismissed_notice(
        author=UserFactory(), brand=brand, reporter=reporter, moderator=moderator
    )
    url = reverse("reviews:appeal-report", args=[report.pk])
    client.force_login(reporter)
    # when
    page = client.get(url)
    response = client.post(url, {"explanation": "Le gérant y est accusé de vol sans preuve."})
    # then
    assert page.status_code == 200
    assert (
        f"Your report no. {report.pk} about “{report.submission.title}” (Boulangerie Dupain). "
        f"It was dismissed on {english_date(report.decided_at)}: the content stays online."
        in text_of(page)
    )
    assert "<textarea" in page.content.decode()
    assert (response.status_code, response["Location"]) == (302, reverse("reviews:my-reports"))
    filed = Appeal.objects.get()
    assert (filed.appellant, filed.report, filed.decision) == (reporter, report, None)


@pytest.mark.parametrize("role", [*ROLES, "author of the review"])
def test_only_the_reporter_may_contest_their_report(
    client, brand, customer, moderator, operator, brand_owner, brand_agent, role
):
    author = UserFactory()
    report = dismissed_notice(
        author=author, brand=brand, reporter=UserFactory(), moderator=moderator
    )
    user = (
        author
        if role == "author of the review"
        else _other(role, brand, customer, moderator, operator, brand_owner, brand_agent)
    )
    client.force_login(user)
    url = reverse("reviews:appeal-report", args=[report.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"explanation": EXPLANATION}).status_code == 404
    assert Appeal.objects.count() == 0


def test_a_report_that_was_upheld_cannot_be_contested(client, brand, moderator):
    reporter = UserFactory(language="en")
    _, report = removed_after_notice(
        author=UserFactory(), brand=brand, reporter=reporter, moderator=moderator
    )
    client.force_login(reporter)
    url = reverse("reviews:appeal-report", args=[report.pk])
    page = client.get(url)
    response = client.post(url, {"explanation": EXPLANATION})
    assert "Only a dismissed report can be contested." in text_of(page)
    assert "<textarea" not in page.content.decode()
    assert response.status_code == 400
    assert Appeal.objects.count() == 0


@pytest.mark.req("DSA-17")
def test_my_reviews_link_each_restriction_to_its_statement_and_appeal(client, author, brand):
    # given: a refused review, contested; another refused; one published
    contested = rejected_by_pipeline(author=author, brand=brand)
    appeal(author, decision_id=statement_of(contested).decision_id)
    open_one = rejected_by_pipeline(author=author, brand=brand)
    public = published(author=author, brand=brand)
    client.force_login(author)
    # when
    html = client.get(reverse("reviews:mine")).content.decode()
    # then
    assert f'href="{statement_url(contested)}"' in html
    assert f'href="{statement_url(open_one)}"' in html
    assert f'href="{statement_url(public)}"' not in html
    assert f'href="{appeal_url(open_one)}"' in html
    assert f'href="{appeal_url(contested)}"' not in html
    assert "You contested this decision: a moderator who did not take it is examining" in html


def test_my_reviews_read_as_many_queries_for_one_or_many_restrictions(client, author, brand):
    rejected_by_pipeline(author=author, brand=brand)
    client.force_login(author)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reviews:mine"))
    for _ in range(3):
        rejected_by_pipeline(author=author, brand=brand)
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("reviews:mine"))
    assert len(four) == len(one)
