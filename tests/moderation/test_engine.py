import datetime
import inspect

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from config.errors import ApplicationError
from moderation import pipeline
from moderation.models import Decision, Signal, Submission
from moderation.rules import RULES, RULESET_VERSION
from moderation.services import decide_submission, moderate_submission, sweep_undecided_submissions
from tests.factories import UserFactory


def test_a_clean_submission_is_published(submission, fake_kind):
    # given
    sub = submission()
    # when
    decision = moderate_submission(submission_id=sub.pk)
    # then
    assert (decision.outcome, decision.rule_code, decision.decided_by) == ("publish", "", None)
    assert (decision.ruleset_version, decision.pipeline_version) == (
        RULESET_VERSION,
        pipeline.PIPELINE_VERSION,
    )
    assert fake_kind.applied == [(sub.object_id, "publish", "")]
    sub.refresh_from_db()
    assert (sub.state, sub.decided_at is not None) == ("decided", True)
    event = AuditEvent.objects.get(action=AuditEvent.Action.MODERATION_DECIDED)
    assert (event.object_type, event.object_id, event.to_status) == (
        "moderation.submission",
        str(sub.pk),
        "decided",
    )
    assert event.details["decided_by"] == "pipeline"
    assert event.details["decision_id"] == decision.pk
    assert event.details["ruleset_version"] == RULESET_VERSION


def test_a_clear_content_breach_is_rejected_with_its_rule(submission, fake_kind):
    sub = submission(
        text="Écrivez-moi à jean.dupont@example.com pour un remboursement, "
        "le vendeur ne répond jamais à mes messages."
    )
    decision = moderate_submission(submission_id=sub.pk)
    assert (decision.outcome, decision.rule_code) == ("reject", "personal_data")
    signal = Signal.objects.get(submission=sub, rule_code="personal_data")
    assert "jean.dupont" not in signal.evidence
    event = AuditEvent.objects.get(action=AuditEvent.Action.MODERATION_DECIDED)
    assert event.rule_code == "personal_data"
    assert event.details["signals"][0]["rule_code"] == "personal_data"


def test_moderating_twice_changes_nothing(submission, fake_kind):
    # given: the task is delivered twice
    sub = submission()
    moderate_submission(submission_id=sub.pk)
    # when
    second = moderate_submission(submission_id=sub.pk)
    # then
    assert second is None
    assert Decision.objects.filter(submission=sub).count() == 1
    assert len(fake_kind.applied) == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MODERATION_DECIDED).count() == 1


def test_an_unknown_kind_is_refused_before_anything_is_stored(brand, customer):
    from moderation.services import submit_for_moderation

    with pytest.raises(LookupError):
        submit_for_moderation(
            kind="nobody",
            object_id="1",
            author=customer,
            brand=brand,
            place=None,
            rating=5,
            language="fr",
            title="t",
            text="x" * 40,
            submitted_at=timezone.now(),
        )
    assert not Submission.objects.exists()


def test_the_sweeper_reenqueues_forgotten_submissions(submission, fake_kind, settings):
    # given: a submission whose task was lost three minutes ago, and a fresh one
    old = submission()
    Submission.objects.filter(pk=old.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=3)
    )
    fresh = submission()
    # when (tasks run eagerly in tests)
    count = sweep_undecided_submissions()
    # then
    assert count == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, old.attempts) == ("decided", 1)
    assert fresh.state == "pending"


@pytest.mark.req("NF-MOD-3", "EU-4", "FTC-8")
def test_no_branch_of_the_pipeline_reads_the_rating():
    source = inspect.getsource(pipeline)
    assert "rating" not in source.replace("the rating", "")


@pytest.mark.req("NF-MOD-3")
@pytest.mark.parametrize(
    "text",
    [
        "Livraison rapide et produit conforme, emballage soigné, service client joignable.",
        "Appelez le 06 12 34 56 78 pour tout savoir sur cette boutique et ses horaires.",
        "Visitez www.promo-discount.example pour des réductions, code promo SAVE20 !",
    ],
)
def test_both_ends_of_the_scale_get_the_same_decision(submission, text):
    def decide_alone(rating):
        """Each on the same store: rolled back, so neither sees the other as a duplicate."""
        with transaction.atomic():
            decision = moderate_submission(submission_id=submission(rating=rating, text=text).pk)
            transaction.set_rollback(True)
        return decision.outcome, decision.rule_code, decision.risk_score

    assert decide_alone(1) == decide_alone(5)


@pytest.mark.req("NF-MOD-1", "FR-15", "DSA-2")
def test_published_rules_equal_the_rules_that_can_be_cited(client, db):
    # given: every rule the checks can cite, and every rule a moderator may cite
    from moderation.checks import authenticity, content

    check_source = inspect.getsource(content) + inspect.getsource(authenticity)
    cited_by_checks = {code for code in RULES if f'"{code}"' in check_source}
    # when
    published_api = {
        rule["code"] for rule in client.get(reverse("api-code-of-conduct")).json()["rules"]
    }
    page = client.get(reverse("code-of-conduct")).content.decode()
    # then
    assert published_api == set(RULES)
    assert all(f'id="rule-{code}"' in page for code in RULES)
    assert cited_by_checks <= published_api
    import re

    literal_codes = set(re.findall(r'rule_code="([a-z_]+)"', check_source))
    assert literal_codes <= published_api


@pytest.mark.req("FR-15")
def test_a_moderator_can_only_cite_a_published_rule(
    submission, moderator, fake_kind, send_to_human
):
    sub = submission(author=UserFactory(), network_hash="n", device_hash="d")
    send_to_human(sub)
    with translation.override("en"), pytest.raises(ApplicationError, match="code of conduct"):
        decide_submission(
            submission_id=sub.pk,
            moderator=moderator,
            outcome="reject",
            rule_code="because_i_said_so",
        )
    assert not Decision.objects.filter(submission=sub).exists()


def test_code_of_conduct_page_is_bilingual(client, db):
    fr = client.get(reverse("code-of-conduct")).content.decode()
    en = client.get(reverse("code-of-conduct"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert RULES["insult"].title_fr in fr
    assert RULES["insult"].title_en in en
    assert RULESET_VERSION in fr


@pytest.mark.req("NF-MOD-4")
def test_a_moderator_decides_only_in_languages_they_master(submission, fake_kind, send_to_human):
    sub = submission(language="en")
    send_to_human(sub)
    french_only = UserFactory(role="moderator", moderation_languages=["fr"])
    with translation.override("en"), pytest.raises(Exception, match="language"):
        decide_submission(submission_id=sub.pk, moderator=french_only, outcome="publish")
