import datetime

import pytest
from django.utils import timezone

from moderation.checks import authenticity
from moderation.models import Submission
from moderation.services import moderate_submission
from tests.factories import BrandFactory, UserFactory

CAMPAIGN = (
    "Super boutique, accueil parfait, prix imbattables et conseils au top, je "
    "recommande à cent pour cent à toute la famille et aux amis"
)
T0 = timezone.make_aware(datetime.datetime(2026, 6, 1, 12, 0))


def _old_user(**kwargs):
    return UserFactory(date_joined=T0 - datetime.timedelta(days=400), **kwargs)


@pytest.mark.req("FTC-1")
def test_copy_paste_across_accounts_goes_to_a_human_with_evidence(submission):
    # given: the same text from another account on another brand, 3 hours earlier
    submission(
        author=_old_user(),
        brand=BrandFactory(),
        text=CAMPAIGN,
        rating=5,
        submitted_at=T0 - datetime.timedelta(hours=3),
    )
    sub = submission(
        author=_old_user(),
        text=CAMPAIGN.replace("cent pour cent", "100 %"),
        rating=5,
        submitted_at=T0,
    )
    # when
    decision = moderate_submission(submission_id=sub.pk)
    # then
    assert (decision.outcome, decision.rule_code) == ("send_to_human", "duplicate_content")
    signal = sub.signals.get(check_name="near_duplicate")
    assert signal.evidence.startswith("Text ")
    assert "similar to a review by another account on another brand, 3 h earlier" in signal.evidence
    assert signal.score >= 0.8
    sub.refresh_from_db()
    assert sub.state == "in_review"


def test_the_same_author_may_repeat_themselves_on_one_brand_only_later(submission):
    # a text shorter than DUPLICATE_MIN_WORDS is never compared
    user = _old_user()
    submission(author=_old_user(), text="Très bien, rien à dire.", submitted_at=T0)
    sub = submission(
        author=user, text="Très bien, rien à dire.", submitted_at=T0 + datetime.timedelta(hours=1)
    )
    assert authenticity.check_near_duplicates(sub) == []


def test_only_earlier_submissions_count_so_history_replays_the_same(submission):
    # given: the copy is submitted later than the one being checked
    first = submission(author=_old_user(), text=CAMPAIGN, submitted_at=T0)
    submission(author=_old_user(), text=CAMPAIGN, submitted_at=T0 + datetime.timedelta(hours=1))
    # when / then: the first one has no earlier duplicate, whatever is stored now
    assert authenticity.check_near_duplicates(first) == []


@pytest.mark.req("FTC-1")
def test_several_accounts_from_one_network_on_one_brand(submission, settings):
    # given
    for hour in range(4):
        sub = submission(
            author=_old_user(),
            network_hash="net-1",
            device_hash=f"dev-{hour}",
            submitted_at=T0 + datetime.timedelta(hours=hour),
            text=f"Avis numéro {hour} sur la boutique, rien de particulier à signaler "
            f"sinon un accueil correct et des prix dans la moyenne {hour}.",
        )
    # when
    findings = authenticity.check_shared_network(sub)
    # then
    assert [(f.check, f.rule_code) for f in findings] == [
        ("shared_network", "coordinated_campaign")
    ]
    assert findings[0].evidence == (
        "4 accounts reviewed this brand from the same network within 7 days"
    )
    assert moderate_submission(submission_id=sub.pk).outcome == "send_to_human"


def test_three_accounts_on_one_network_and_device(submission):
    for minute in range(3):
        sub = submission(
            author=_old_user(),
            network_hash="net",
            device_hash="dev",
            submitted_at=T0 + datetime.timedelta(minutes=minute),
        )
    findings = authenticity.check_shared_network(sub)
    assert [f.check for f in findings] == ["shared_device"]


def test_two_people_of_one_household_are_not_a_campaign(submission):
    submission(author=_old_user(), network_hash="home", device_hash="dev", submitted_at=T0)
    sub = submission(
        author=_old_user(),
        network_hash="home",
        device_hash="dev",
        submitted_at=T0 + datetime.timedelta(minutes=5),
    )
    assert authenticity.check_shared_network(sub) == []


def test_accounts_on_one_network_outside_the_window_do_not_count(submission):
    for days in (30, 20, 10):
        submission(
            author=_old_user(), network_hash="n", submitted_at=T0 - datetime.timedelta(days=days)
        )
    sub = submission(author=_old_user(), network_hash="n", submitted_at=T0)
    assert authenticity.check_shared_network(sub) == []


@pytest.mark.req("NF-MOD-3")
@pytest.mark.parametrize("rating", [1, 5])
def test_a_one_sided_burst_is_caught_at_both_ends_of_the_scale(submission, rating, settings):
    # given: 8 reviews on the same side within a day, none before
    brand = BrandFactory()
    for minute in range(8):
        sub = submission(
            author=_old_user(),
            brand=brand,
            rating=rating,
            submitted_at=T0 + datetime.timedelta(minutes=minute),
            text=f"Texte différent numéro {minute} pour ne pas être un doublon.",
        )
    # when
    findings = authenticity.check_rating_burst(sub)
    # then
    assert [f.rule_code for f in findings] == ["coordinated_campaign"]
    assert findings[0].evidence.startswith("8 reviews rated")


def test_a_brands_usual_volume_is_not_a_burst(submission):
    brand = BrandFactory()
    for day in range(1, 30):
        for n in range(3):
            submission(
                author=_old_user(),
                brand=brand,
                rating=5,
                submitted_at=T0 - datetime.timedelta(days=day, minutes=n),
            )
    for minute in range(8):
        sub = submission(
            author=_old_user(),
            brand=brand,
            rating=5,
            submitted_at=T0 + datetime.timedelta(minutes=minute),
        )
    assert authenticity.check_rating_burst(sub) == []


def test_author_on_the_brands_domain_is_a_conflict_of_interest(submission, brand):
    # given: brand domain dupain.fr
    employee = _old_user(email="vendeur@dupain.fr")
    sub = submission(author=employee, submitted_at=T0)
    # when
    decision = moderate_submission(submission_id=sub.pk)
    # then
    assert (decision.outcome, decision.rule_code) == ("send_to_human", "conflict_of_interest")


def test_undisclosed_incentive_wording(submission):
    text = (
        "J'ai reçu un bon d'achat de 20 euros en échange de mon avis, très bonne boutique "
        "au demeurant, le personnel est aimable."
    )
    found = authenticity.check_undisclosed_incentive(submission(text=text, submitted_at=T0))
    assert [f.rule_code for f in found] == ["undisclosed_incentive"]
    disclosed = submission(text=text, incentive_disclosed=True, submitted_at=T0)
    assert authenticity.check_undisclosed_incentive(disclosed) == []


@pytest.mark.parametrize("rating", [1, 5])
def test_new_account_with_extreme_rating_is_a_weak_signal_alone(submission, rating):
    newcomer = UserFactory(date_joined=T0 - datetime.timedelta(hours=2))
    sub = submission(author=newcomer, rating=rating, submitted_at=T0)
    findings = authenticity.check_new_account_extreme_rating(sub)
    assert [(f.score, f.evidence) for f in findings] == [
        (0.3, f"{rating}-star rating; account created 2 h before")
    ]
    assert moderate_submission(submission_id=sub.pk).outcome == "publish"


@pytest.mark.parametrize(
    ("rating", "text"),
    [
        (5, "Horrible, une arnaque totale, personnel désagréable et produit nul, je suis déçu."),
        (1, "Parfait, personnel aimable, livraison rapide, je recommande, vraiment excellent."),
    ],
)
def test_rating_contradicting_text_plus_new_account_goes_to_a_human(submission, rating, text):
    newcomer = UserFactory(date_joined=T0 - datetime.timedelta(hours=2))
    sub = submission(author=newcomer, rating=rating, text=text, submitted_at=T0)
    decision = moderate_submission(submission_id=sub.pk)
    assert decision.outcome == "send_to_human"
    assert decision.risk_score == pytest.approx(1 - 0.7 * 0.6)


def test_heuristics_use_the_submission_time_not_the_wall_clock(submission):
    # given: four accounts on one network, a year ago
    year_ago = timezone.now() - datetime.timedelta(days=365)
    for minute in range(4):
        sub = submission(
            author=_old_user(),
            network_hash="old-net",
            submitted_at=year_ago + datetime.timedelta(minutes=minute),
        )
    # then: checked today, the burst of last year is still seen in its own time
    assert [f.check for f in authenticity.check_shared_network(sub)] == ["shared_network"]
    assert Submission.objects.filter(network_hash="old-net").count() == 4


def test_a_replayed_history_finds_the_earlier_copy_among_many_later_ones(submission):
    # given: an import indexes everything first, the original, a copy, then 40 more copies
    original = submission(author=_old_user(), text=CAMPAIGN, submitted_at=T0)
    copy = submission(
        author=_old_user(), text=CAMPAIGN, submitted_at=T0 + datetime.timedelta(hours=1)
    )
    for hour in range(2, 42):
        submission(
            author=_old_user(), text=CAMPAIGN, submitted_at=T0 + datetime.timedelta(hours=hour)
        )
    # when: the copy is moderated in its turn
    [finding] = authenticity.check_near_duplicates(copy)
    # then: the original is the match, whatever came later
    assert finding.data["similar_submission_ids"] == [original.pk]
