"""The item page and `GET items/<id>`: the content, its evidence, what it is related to, and
what was decided before; and the operators' measures of moderation delays."""

import datetime
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from moderation.models import Decision, ProofRequest, WorkItem
from moderation.selectors import get_moderation_measures
from moderation.services import decide_work_item, file_appeal
from tests.factories import BrandFactory, UserFactory
from tests.moderation.conftest import TEXT
from tests.moderation.workspace import (
    open_item,
    published_review,
    report_item,
    review_for_moderator,
)
from tests.reviews.publishing import submit_and_decide

NOW = timezone.now()


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def item_links(html):
    return [int(n) for n in re.findall(r'href="/moderation/file/(\d+)/"', html)]


def content_links(html):
    return [int(n) for n in re.findall(r'href="/moderation/contenus/(\d+)/"', html)]


def test_the_page_shows_the_content_as_plain_text_with_its_facts(
    client, moderator, submission, place
):
    # given
    sub = submission(
        title="Très <b>bon</b>", text=TEXT + " <script>alert(1)</script>", rating=2, place=place
    )
    item = open_item(sub)
    client.force_login(in_english(moderator))
    # when
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    # then
    assert "Très &lt;b&gt;bon&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    for fact in ("2/5", "Boulangerie Dupain", "Dupain Bastille (Paris)", sub.author.pseudonym):
        assert fact in html
    assert f'datetime="{timezone.localtime(sub.submitted_at).isoformat()}"' in html


def test_the_page_shows_the_signals_the_risk_and_prior_notes(client, moderator, brand):
    # given: the pipeline sent the review with its signal; a note from an earlier decision
    review, item = review_for_moderator(brand=brand)
    client.force_login(moderator)
    # when
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    data = api_for(moderator).get(reverse("api-moderation-item", args=[item.pk])).json()
    # then
    signal = item.submission.signals.get()
    assert signal.evidence.replace('"', "&quot;") in html
    pipeline = Decision.objects.get(submission=item.submission)
    for line in pipeline.explanation:
        assert line.replace('"', "&quot;") in html
    assert data["signals"] == [
        {
            "check_name": signal.check_name,
            "rule_code": signal.rule_code,
            "score": signal.score,
            "evidence": signal.evidence,
        }
    ]
    assert data["risk_explanation"] == pipeline.explanation
    assert [d["outcome"] for d in data["decisions"]] == ["send_to_human"]
    assert data["actions"] == ["publish", "reject", "label", "request_proof"]
    assert "pressure_to_withdraw" not in data["rules"]
    assert "insult" in data["rules"]


def test_related_content_is_listed_with_links_to_items_or_records(client, moderator, submission):
    # given: around one submission, content sharing its network, its device, its text and
    # its burst; and the author's other content
    me = UserFactory()
    now = timezone.now()
    mine = submission(author=me, network_hash="net-1", device_hash="dev-1", rating=5)
    item = open_item(mine)
    same_network = submission(
        network_hash="net-1", rating=3, text="Autre texte sans rapport aucun ici."
    )
    same_device = submission(
        device_hash="dev-1", rating=3, text="Encore un texte tout à fait différent."
    )
    copy = submission(brand=BrandFactory(), rating=1)  # same text, another brand
    burst = submission(rating=4, text="Top, super boutique, rien à redire.", submitted_at=now)
    far = submission(
        rating=5, text="Hors de la fenêtre.", submitted_at=now - datetime.timedelta(days=3)
    )
    low = submission(rating=1, text="Une étoile, autre côté de l'échelle.", submitted_at=now)
    other_of_mine = submission(author=me, brand=BrandFactory(), text="Mon autre avis ailleurs.")
    waiting = open_item(burst)
    client.force_login(moderator)
    # when
    data = api_for(moderator).get(reverse("api-moderation-item", args=[item.pk])).json()
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    # then
    related = data["related"]
    assert [row["id"] for row in related["same_network"]] == [same_network.pk]
    assert [row["id"] for row in related["same_device"]] == [same_device.pk]
    assert [(row["id"], row["similarity"]) for row in related["near_duplicates"]] == [
        (copy.pk, 1.0)
    ]
    assert [row["id"] for row in related["same_burst"]] == [burst.pk]
    assert far.pk not in [row["id"] for row in related["same_burst"]]
    assert low.pk not in [row["id"] for row in related["same_burst"]]
    assert [row["id"] for row in data["author_submissions"]] == [other_of_mine.pk]
    assert related["same_burst"][0]["open_item_id"] == waiting.pk
    assert waiting.pk in item_links(html)  # waits in an item: linked to it
    assert {same_network.pk, same_device.pk, copy.pk, other_of_mine.pk} <= set(content_links(html))
    assert sorted(data["cluster_item_ids"]) == [item.pk, waiting.pk]


def test_the_brand_pattern_counts_per_day_and_star_and_new_accounts(moderator, submission):
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=False):  # "today" is the same day for every row
        # given: today two 5★ from new accounts and a 1★ from an old one; a 4★ three days ago
        old_account = UserFactory(date_joined=noon - datetime.timedelta(days=400))
        submission(rating=5, author=UserFactory(), text="Cinq étoiles, premier compte récent ici.")
        target = submission(rating=5, author=UserFactory())
        submission(rating=1, author=old_account, text="Une étoile d'un compte ancien et fidèle.")
        submission(
            rating=4,
            author=old_account,
            submitted_at=noon - datetime.timedelta(days=3),
            text="Quatre étoiles il y a trois jours.",
        )
        submission(
            rating=5,
            author=old_account,
            submitted_at=noon - datetime.timedelta(days=40),
            text="Trop ancien pour compter.",
        )
        item = open_item(target)
        # when
        pattern = (
            api_for(moderator)
            .get(reverse("api-moderation-item", args=[item.pk]))
            .json()["brand_pattern"]
        )
    # then
    assert pattern["total"] == 4
    assert pattern["new_accounts"] == 2
    assert pattern["new_account_share"] == 0.5
    assert pattern["days"] == [
        {
            "day": noon.date().isoformat(),
            "per_star": [1, 0, 0, 0, 2],
            "total": 3,
            "new_accounts": 2,
        },
        {
            "day": (noon - datetime.timedelta(days=3)).date().isoformat(),
            "per_star": [0, 0, 0, 1, 0],
            "total": 1,
            "new_accounts": 0,
        },
    ]


def test_a_report_shows_its_explanation_and_rule(client, moderator, brand):
    # given
    review = published_review(brand=brand)
    item = report_item(review, reporter=UserFactory(pseudonym="Vigilant"))
    client.force_login(moderator)
    # when
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    data = api_for(moderator).get(reverse("api-moderation-item", args=[item.pk])).json()
    # then
    assert "Ce texte insulte le vendeur, il enfreint la charte." in html
    assert "Vigilant" in html
    assert data["report"]["explanation"] == "Ce texte insulte le vendeur, il enfreint la charte."
    assert (data["report"]["source"], data["report"]["rule_code"]) == ("code_of_conduct", "insult")
    assert data["actions"] == ["dismiss", "remove", "label", "request_proof"]
    assert 'name="manifestly_unfounded"' in html


def test_an_appeal_shows_the_contested_decision(client, moderator, brand):
    # given
    review, item = review_for_moderator(brand=brand)
    decide_work_item(
        item_id=item.pk, moderator=moderator, action="reject", rule_code="insult", note="Vu."
    )
    decision = Decision.objects.filter(submission=item.submission).last()
    appeal = file_appeal(
        appellant=review.author, explanation="Je citais quelqu'un.", decision_id=decision.pk
    )
    appeal_item = WorkItem.objects.get(appeal=appeal)
    second = UserFactory(role="moderator", moderation_languages=["fr"], pseudonym="Seconde")
    client.force_login(second)
    # when
    html = client.get(reverse("moderation:item", args=[appeal_item.pk])).content.decode()
    data = api_for(second).get(reverse("api-moderation-item", args=[appeal_item.pk])).json()
    # then
    assert "Je citais quelqu&#x27;un." in html
    assert 'name="reasons"' in html
    assert data["appeal"]["explanation"] == "Je citais quelqu'un."
    assert data["contested_decision"]["id"] == decision.pk
    assert (data["contested_decision"]["outcome"], data["contested_decision"]["note"]) == (
        "reject",
        "Vu.",
    )
    assert data["actions"] == ["uphold", "reverse"]


def test_a_proof_links_to_its_document(client, moderator, submission):
    # given: a proof sent by the author, waiting in its item
    sub = submission()
    proof = ProofRequest.objects.create(
        submission=sub,
        requested_by=moderator,
        requested_at=NOW,
        deadline=NOW + datetime.timedelta(days=14),
        status=ProofRequest.Status.SUBMITTED,
        content_type="application/pdf",
        size=9,
        uploaded_at=NOW,
    )
    proof.document.save("facture.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    item = open_item(sub, kind=WorkItem.Kind.PROOF)
    WorkItem.objects.filter(pk=item.pk).update(proof=proof)
    client.force_login(moderator)
    # when
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    data = api_for(moderator).get(reverse("api-moderation-item", args=[item.pk])).json()
    # then
    url = reverse("moderation:proof-document", args=[proof.pk])
    assert f'href="{url}"' in html
    assert data["proof"]["document_url"] == url
    assert data["actions"] == ["accept_proof", "refuse_proof"]


def test_a_closed_item_is_shown_without_a_decision_form(client, moderator, brand):
    review, item = review_for_moderator(brand=brand)
    decide_work_item(item_id=item.pk, moderator=moderator, action="publish")
    client.force_login(moderator)
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    assert 'id="decision-form"' not in html
    assert "publish" in html


def test_the_item_page_costs_the_same_whatever_the_related_content(
    client, moderator, submission, django_assert_num_queries
):
    # given: the moderator opened the item already (the claim is taken)
    item = open_item(submission(network_hash="net", device_hash="dev"))
    client.force_login(moderator)
    path = reverse("moderation:item", args=[item.pk])
    client.get(path)
    # when / then: session, user, item, brand membership, 12 reads of the record, the
    # cluster (2)
    with django_assert_num_queries(18):
        client.get(path)
    for n in range(6):
        open_item(submission(network_hash="net", device_hash="dev", text=f"{TEXT} {n}"))
    with django_assert_num_queries(18):
        response = client.get(path)
    assert len(re.findall(r'name="bulk-items" value="\d+"', response.content.decode())) == 7


# MEASURES
# ------------------------------------------------------------------------------


def test_measures_per_kind_rating_and_path(moderator, submission):
    # given: two reviews decided by a moderator 2 h and 10 h after submission (4★ and 1★), one
    # published by the pipeline 1 min after, and a report item closed 3 h after it was filed
    start = NOW - datetime.timedelta(days=1)
    human_fast = submission(rating=4, submitted_at=start)
    human_slow = submission(rating=1, submitted_at=start, text="Une étoile, texte différent ici.")
    for sub, hours in ((human_fast, 2), (human_slow, 10)):
        item = open_item(sub)
        with time_machine.travel(start + datetime.timedelta(hours=hours), tick=False):
            decide_work_item(item_id=item.pk, moderator=moderator, action="publish")
    automated = submission(rating=4, submitted_at=start, text="Publié par les vérifications.")
    Decision.objects.create(
        submission=automated,
        outcome=Decision.Outcome.PUBLISH,
        risk_score=0,
        ruleset_version="x",
        pipeline_version="x",
        decided_at=start + datetime.timedelta(minutes=1),
    )
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        report = open_item(human_fast, kind=WorkItem.Kind.REPORT)
    WorkItem.objects.filter(pk=report.pk).update(
        state=WorkItem.State.DONE, closed_at=start + datetime.timedelta(hours=4)
    )
    # when
    measures = get_moderation_measures(since=start, until=NOW + datetime.timedelta(hours=1))
    # then
    hours = datetime.timedelta(hours=1)
    review = measures.by_item_kind["review"]
    assert (review.count, review.p50, review.p90, review.maximum) == (
        2,
        2 * hours,
        10 * hours,
        10 * hours,
    )
    assert measures.by_item_kind["report"].p50 == 3 * hours
    four = measures.by_rating[4]
    assert (four.count, four.p50, four.maximum) == (2, datetime.timedelta(minutes=1), 2 * hours)
    assert measures.by_rating[1].p50 == 10 * hours
    assert measures.by_rating[5].count == 0
    assert (measures.by_path["automated"].count, measures.by_path["human"].count) == (1, 2)
    assert measures.by_path["human"].p90 == 10 * hours


def test_the_measures_page_and_api_are_for_operators(client, operator, moderator):
    # given
    client.force_login(in_english(operator))
    # when
    page = client.get(reverse("moderation:measures"))
    bad = client.get(reverse("moderation:measures"), {"start": "2026-12-31", "end": "2026-01-01"})
    data = api_for(operator).get(reverse("api-moderation-measures"), {"start": "2026-01-01"})
    bad_api = api_for(operator).get(
        reverse("api-moderation-measures"), {"start": "2026-12-31", "end": "2026-01-01"}
    )
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="by-kind"' in html
    assert 'id="by-rating"' in html
    assert 'id="by-path"' in html
    assert bad.status_code == 400
    assert data.status_code == 200
    assert set(data.json()["by_item_kind"]) == {"review", "report", "flag", "appeal", "proof"}
    assert data.json()["by_path"]["human"] == {
        "count": 0,
        "p50_seconds": None,
        "p90_seconds": None,
        "max_seconds": None,
    }
    assert bad_api.status_code == 400
    client.force_login(moderator)
    assert client.get(reverse("moderation:measures")).status_code == 403


@pytest.mark.req("NF-MOD-3")
def test_measures_treat_every_rating_alike(moderator, submission):
    """The same delay gives the same figure whatever the rating: no branch on the rating."""
    start = NOW - datetime.timedelta(hours=5)
    for rating in (1, 5):
        sub = submission(rating=rating, submitted_at=start, text=f"Texte numéro {rating} ici.")
        item = open_item(sub)
        with time_machine.travel(start + datetime.timedelta(hours=3), tick=False):
            decide_work_item(item_id=item.pk, moderator=moderator, action="publish")
    measures = get_moderation_measures(since=start, until=NOW + datetime.timedelta(hours=1))
    assert measures.by_rating[1] == measures.by_rating[5]


class _Controls(HTMLParser):
    """Ids, label targets and form controls of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labelled: set[str] = set()
        self.controls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "label" and "for" in attributes:
            self.labelled.add(attributes["for"])
        hidden = attributes.get("type") in ("hidden", "submit", "button")
        if tag in ("input", "select", "textarea") and not hidden:
            self.controls.append(attributes.get("id", "?"))


def test_the_pages_have_unique_ids_and_a_label_for_every_control(
    client, moderator, operator, brand
):
    # given: an item with a cluster, so both forms are on its page
    _, first = review_for_moderator(brand=brand, client_ip="203.0.113.80")
    review_for_moderator(brand=brand, client_ip="203.0.113.80")
    client.force_login(moderator)
    pages = [
        reverse("moderation:queue"),
        reverse("moderation:item", args=[first.pk]),
        reverse("moderation:submission", args=[first.submission_id]),
    ]
    for path in pages:
        # when
        parser = _Controls()
        parser.feed(client.get(path).content.decode())
        # then
        duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
        assert duplicates == set(), path
        assert [c for c in parser.controls if c not in parser.labelled] == [], path
    client.force_login(operator)
    parser = _Controls()
    parser.feed(client.get(reverse("moderation:measures")).content.decode())
    assert [c for c in parser.controls if c not in parser.labelled] == []


@pytest.mark.req("FTC-2")
def test_the_item_page_shows_the_gap_between_invited_and_spontaneous_reviews(
    client, moderator, brand, settings
):
    # given: two invited 5-star reviews, one spontaneous 2-star review
    settings.INVITATION_GAP_MIN_REVIEWS = 1
    for rating, verification in [(5, "invitation"), (5, "invitation"), (2, "self_declared")]:
        submit_and_decide(
            brand=brand, moderator=moderator, rating=rating, verification=verification
        )
    review, item = review_for_moderator(brand=brand)
    client.force_login(in_english(moderator))
    # when
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    # then
    [line] = re.findall(r'<p class="brand-context">([^<]*)</p>', html)
    assert line == (
        "Invited reviews: 2 (66.7 %), mean 5.0★; spontaneous: 1, mean 2.0★. Invited reviews "
        "are 3.0★ better: a sign that only happy customers are invited."
    )
