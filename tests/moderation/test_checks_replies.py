"""The content checks for brands' replies: pressure on the reviewer (FTC-7) and the customer's
identity. Both run on every text; their rules apply to replies only."""

import datetime

import pytest
from django.urls import reverse

from moderation.checks.content import check_customer_identity, check_pressure_to_withdraw
from moderation.rules import RULES, rules_for_kind
from moderation.services import decision_max_delay


def pressure(text: str) -> tuple[float, dict, str] | None:
    found = check_pressure_to_withdraw(title="", text=text, language="fr")
    assert len(found) <= 1
    if not found:
        return None
    return found[0].score, found[0].data["counts"], found[0].evidence


@pytest.mark.req("FTC-7")
@pytest.mark.parametrize(
    ("text", "counts", "quoted"),
    [
        ("Merci de retirer votre avis au plus vite.", {"request": 1}, "retirer votre avis"),
        ("Pourriez-vous SUPPRIMER ce commentaire ?", {"request": 1}, "supprimer ce commentaire"),
        ("Merci de mettre à jour votre avis.", {"request": 1}, "mettre a jour votre avis"),
        ("Un geste commercial si vous modifiez votre note.", {"offer": 1}, "si vous modifiez"),
        ("Vos propos sont diffamatoires.", {"legal_threat": 1}, "diffamatoires"),
        ("Nous allons porter plainte.", {"legal_threat": 1}, "porter plainte"),
        ("Please delete your review.", {"request": 1}, "delete your review"),
        ("We could refund you once you remove it.", {"offer": 1}, "once you remove"),
        ("Our lawyers will be in touch.", {"legal_threat": 1}, "our lawyers"),
        ("Feel free to take your review down.", {"request": 1}, "take your review down"),
        (
            "Please reconsider your rating, in exchange for a voucher.",
            {"request": 1},
            "reconsider your rating",
        ),
    ],
)
def test_pressure_on_the_reviewer_is_found_in_french_and_english(text, counts, quoted):
    score, found_counts, evidence = pressure(text)
    assert found_counts == counts
    assert f'"{quoted}"' in evidence
    assert score >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour votre avis, nous avons changé la recette grâce à vos remarques.",
        "Nous allons modifier notre processus suite à votre avis.",
        "Nous prenons note de votre avis. Contactez-nous en boutique.",
        "Thank you for your review, we will improve thanks to your feedback.",
        "We have updated the menu following your comment.",
        "Désolés pour l'attente, nous avons renforcé l'équipe du samedi.",
    ],
)
def test_an_ordinary_reply_puts_no_pressure(text):
    assert pressure(text) is None


def test_the_evidence_quotes_the_findings_in_the_order_of_the_text():
    _score, counts, evidence = pressure(
        "Retirez votre avis, sinon notre avocat vous écrira ; un avoir si vous supprimez."
    )
    assert counts == {"request": 1, "legal_threat": 1, "offer": 1}
    assert evidence == (
        "Pressure on the reviewer in the text: a request to remove or change the review, "
        "something offered or promised for the change, a legal threat or accusation "
        '("retirez votre avis", "notre avocat", "si vous supprimez").'
    )


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("Bonjour Madame Martin, merci.", {"name": 1}),
        ("Dear Mr Smith, thank you.", {"name": 1}),
        ("Votre commande n°45821 est partie.", {"reference": 1}),
        ("Your order #A1234 was refunded.", {"reference": 1}),
        ("Madame, Monsieur, merci pour votre avis.", None),
        ("Dear Customer, thank you.", None),
        ("Votre commande du 12 mars est bien partie.", None),
    ],
)
def test_the_customers_identity_is_found_without_quoting_it(text, counts):
    found = check_customer_identity(title="", text=text, language="fr")
    if counts is None:
        assert found == []
        return
    assert [(f.rule_code, f.score, f.data["counts"]) for f in found] == [
        ("customer_identity", 0.6, counts)
    ]
    assert "Martin" not in found[0].evidence
    assert "45821" not in found[0].evidence


def test_the_rules_for_brands_apply_to_replies_only():
    for_replies = {rule.code for rule in rules_for_kind("reply")}
    for_reviews = {rule.code for rule in rules_for_kind("review")}
    assert {"pressure_to_withdraw", "customer_identity"} <= for_replies - for_reviews
    # the content rules apply to both; the authenticity rules of reviews to reviews only
    assert {"insult", "personal_data", "advertising", "threat"} <= for_replies & for_reviews
    assert {
        "duplicate_content",
        "coordinated_campaign",
        "conflict_of_interest",
        "undisclosed_incentive",
        "no_consumer_experience",
    } <= for_reviews - for_replies
    assert not RULES["pressure_to_withdraw"].automatic  # a moderator decides


def test_the_code_of_conduct_says_which_rules_apply_to_replies(client, db):
    html = client.get(reverse("code-of-conduct"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    pressure = html.split('id="rule-pressure_to_withdraw"')[1].split("</article>")[0]
    duplicate = html.split('id="rule-duplicate_content"')[1].split("</article>")[0]
    insult = html.split('id="rule-insult"')[1].split("</article>")[0]
    assert "Applies to brands' replies to reviews" in pressure
    assert "Applies to reviews, not to brands' replies." in duplicate
    assert "replies" not in insult
    assert '<li id="version-2026.2">' in html


@pytest.mark.req("NF-RES-5")
def test_the_due_time_of_a_kind_follows_its_setting(settings):
    settings.REPLY_DECISION_MAX_DELAY = datetime.timedelta(days=5)
    settings.REVIEW_DECISION_MAX_DELAY = datetime.timedelta(days=7)
    assert decision_max_delay("reply") == datetime.timedelta(days=5)
    assert decision_max_delay("review") == datetime.timedelta(days=7)
    assert decision_max_delay("fake") == datetime.timedelta(days=7)  # no setting of its own
