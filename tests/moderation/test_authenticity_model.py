"""The authenticity model: features as of submission time, training from moderators'
decisions with a brand-grouped hold-out, its signal in the pipeline, its public card, and the
commands' sad paths."""

import datetime
import itertools
import json
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from moderation.authenticity import scoring
from moderation.authenticity.features import (
    compute_features,
    history_for,
    numeric_features,
    read_context,
    read_histories_and_contexts,
)
from moderation.authenticity.training import (
    features_for,
    labels_from_decisions,
    recorded_findings,
    train_model,
)
from moderation.models import AuthenticityModel, Decision, Submission
from moderation.pipeline import decide, run_checks
from moderation.services import moderate_submission
from tests.factories import BrandFactory, UserFactory

T0 = timezone.now() - datetime.timedelta(days=60)
_n = itertools.count(1)

GENUINE_WORDS = [
    "commande",
    "livrée",
    "mardi",
    "emballage",
    "correct",
    "notice",
    "claire",
    "vendeur",
    "patient",
    "prix",
    "moyen",
    "câble",
    "court",
    "garantie",
    "deux",
    "ans",
    "retour",
    "facile",
    "magasin",
    "calme",
    "parking",
    "payant",
    "rayon",
    "rangé",
    "caisse",
    "lente",
    "conseil",
    "utile",
    "taille",
    "juste",
    "couleur",
    "fidèle",
    "tissu",
    "épais",
    "lavage",
    "tenu",
]
FAKE_TEXTS = (
    "Le meilleur magasin absolument parfait !!! Je recommande totalement, incroyable !!!",
    "Parfait parfait, le meilleur service jamais vu !!! Exceptionnel, je recommande !!!",
    "Incroyable, absolument le meilleur, parfait en tout !!! Je recommande à tous !!!",
)


@pytest.fixture(autouse=True)
def _model_kinds(settings):
    # The fake kind of the engine's tests stands for reviews here.
    settings.AUTHENTICITY_MODEL_KINDS = ("fake",)
    scoring.forget_model()
    yield
    scoring.forget_model()


def _genuine_text(rng: random.Random) -> str:
    return " ".join(rng.sample(GENUINE_WORDS, 14)).capitalize() + "."


def labelled_history(submission, moderator, *, brands: int = 8, seed: int = 1):
    """Per brand: genuine reviews by old accounts, and fakes by new accounts posting several a
    day; each moderated by the pipeline, then decided by a moderator (the labels)."""
    rng = random.Random(seed)
    labelled = []
    for b in range(brands):
        brand = BrandFactory()
        for i in range(6):
            author = UserFactory(date_joined=T0 - datetime.timedelta(days=400))
            at = T0 + datetime.timedelta(days=b, hours=i * 3)
            sub = submission(
                author=author,
                brand=brand,
                rating=rng.choice([2, 3, 4, 4]),
                text=_genuine_text(rng),
                submitted_at=at,
            )
            labelled.append((sub, False))
        fake_author = UserFactory(date_joined=T0 + datetime.timedelta(days=b))
        for i in range(4):
            sub = submission(
                author=fake_author,
                brand=brand if i % 2 else BrandFactory(),
                rating=5,
                text=f"{FAKE_TEXTS[i % 3]} {next(_n)}",
                submitted_at=T0 + datetime.timedelta(days=b, hours=1, minutes=10 * i),
            )
            labelled.append((sub, True))
    for sub, fake in labelled:
        moderate_submission(submission_id=sub.pk)
        Decision.objects.create(
            submission=sub,
            outcome=Decision.Outcome.REJECT if fake else Decision.Outcome.PUBLISH,
            rule_code="no_consumer_experience" if fake else "",
            risk_score=0,
            ruleset_version="test",
            pipeline_version="test",
            decided_by=moderator,
            decided_at=sub.submitted_at + datetime.timedelta(hours=5),
        )
    return labelled


def features_now(sub: Submission):
    sub = Submission.objects.get(pk=sub.pk)
    findings = run_checks(sub)
    return compute_features(sub, findings, history_for(sub, shared=False), read_context(sub))


def test_features_are_those_of_the_submission_time(submission):
    # given: two reviews by one author on one brand, a day apart
    author = UserFactory(date_joined=T0 - datetime.timedelta(days=3))
    brand = BrandFactory()
    first = submission(author=author, brand=brand, rating=5, submitted_at=T0)
    before = features_now(first)
    submission(author=author, brand=brand, rating=1, submitted_at=T0 + datetime.timedelta(days=1))
    # when: the first one's features are computed again after the later review
    after = features_now(first)
    # then: nothing later counts
    assert after.values == before.values
    assert before.values["author_first_review"] == 1.0
    assert before.values["author_reviews_today"] == 1.0
    assert before.values["rating_extreme"] == 1.0
    assert before.values["rating_deviation"] == 0.0  # no earlier review of the brand


def test_the_second_review_sees_the_first(submission):
    # given
    author = UserFactory(date_joined=T0 - datetime.timedelta(days=3))
    brand = BrandFactory()
    submission(author=author, brand=brand, rating=5, submitted_at=T0)
    second = submission(
        author=author, brand=brand, rating=1, submitted_at=T0 + datetime.timedelta(hours=2)
    )
    # when
    features = features_now(second)
    # then
    assert features.values["author_first_review"] == 0.0
    assert features.values["author_reviews_today"] == 2.0
    assert features.values["author_extreme_share"] == 1.0
    assert features.values["rating_deviation"] == 4.0
    assert features.values["brand_one_review_share"] == 1.0
    assert "author_id" not in features.values
    assert "rating" not in features.values


def test_training_reads_the_features_of_the_pipeline_in_a_few_queries(submission):
    # given: 4 authors (one account a day old) on 3 brands, 48 reviews at 5 moments (so many
    # share their submitted_at), all ratings and none, on 2 networks and 2 devices or none
    brands = [BrandFactory() for _ in range(3)]
    authors = [UserFactory(date_joined=T0 - datetime.timedelta(days=d)) for d in (400, 30, 9, 1)]
    rng = random.Random(5)
    for n in range(48):
        submission(
            author=authors[n % 4],
            brand=brands[rng.choice([0, 0, 1, 2])],
            rating=[1, 2, 3, 4, 5, None][n % 6],
            text=_genuine_text(rng),
            submitted_at=T0 + datetime.timedelta(hours=rng.choice([0, 0, 1, 6, 30, 200])),
            network_hash=rng.choice(["", "net-a", "net-b"]),
            device_hash=rng.choice(["", "dev-1", "dev-2"]),
        )
    subs = list(Submission.objects.order_by("submitted_at", "pk"))
    one_by_one = [(history_for(sub, shared=False), read_context(sub)) for sub in subs]
    # when
    with CaptureQueriesContext(connection) as queries:
        together = read_histories_and_contexts(subs)
    _ordered, rows = features_for([sub.pk for sub in subs])
    # then: exactly the pipeline's values, ties on submitted_at broken by id alike
    assert len({sub.submitted_at for sub in subs}) == 5
    assert together == one_by_one
    findings = recorded_findings([sub.pk for sub in subs])
    expected = [
        compute_features(sub, findings[sub.pk], history, context)
        for sub, (history, context) in zip(subs, one_by_one, strict=True)
    ]
    assert [(f.values, f.text, f.facts) for f in rows] == [
        (f.values, f.text, f.facts) for f in expected
    ]
    assert max(context.brand_prior for _history, context in together) == 20
    assert max(history.network_accounts for history, _context in together) == 3
    # on PostgreSQL, one statement for each of the 5 shapes of the history query here (with a
    # network part or not, a burst part or not, an earlier-review part or not) and one for the
    # contexts; elsewhere one a review (the network and burst counts: none for a 3-star or
    # unrated review from no network)
    if connection.vendor == "postgresql":
        assert len(queries) == 6
    else:
        needing = sum(1 for sub in subs if sub.network_hash or sub.rating in (1, 2, 4, 5))
        assert len(queries) == needing + 48


def test_without_length_the_length_features_are_left_out():
    assert "text_log_chars" in numeric_features(with_length=True)
    assert "text_log_chars" not in numeric_features(with_length=False)
    assert "text_log_words" not in numeric_features(with_length=False)


def test_labels_come_from_moderators_decisions_on_authenticity_rules(submission, moderator):
    # given: a fake rejected as such, a genuine published, one rejected for an insult
    subs = [submission(submitted_at=T0 + datetime.timedelta(minutes=i)) for i in range(3)]
    for sub, outcome, rule in (
        (subs[0], Decision.Outcome.REJECT, "duplicate_content"),
        (subs[1], Decision.Outcome.PUBLISH, ""),
        (subs[2], Decision.Outcome.REJECT, "insult"),
    ):
        Decision.objects.create(
            submission=sub,
            outcome=outcome,
            rule_code=rule,
            risk_score=0,
            ruleset_version="t",
            pipeline_version="t",
            decided_by=moderator,
            decided_at=T0,
        )
    # when
    labels = labels_from_decisions()
    # then
    assert labels == {subs[0].pk: 1, subs[1].pk: 0}


def test_training_stores_a_measured_model_on_a_brand_grouped_split(submission, moderator):
    # given: a labelled history on 8 brands (plus the fakes' other brands)
    labelled = labelled_history(submission, moderator)
    # when
    model = train_model()
    # then
    assert (model.version, model.is_current, model.training_size) == (1, True, 80)
    # the pipeline's one-review scoring gives the calibrated classifier's own probabilities
    _subs, rows = features_for([sub.pk for sub, _fake in labelled[:12]])
    estimator = scoring.current_model().estimator
    fast = [round(estimator.score(row)[0], 9) for row in rows]
    assert fast == [round(float(p), 9) for p in estimator.predict_proba(rows)]
    metrics = model.metrics
    assert metrics["brands_on_both_sides"] == 0
    assert metrics["train"]["size"] + metrics["test"]["size"] == 80
    assert metrics["labels"] == {"from_decisions": 80, "from_file": 0, "fake": 32, "genuine": 48}
    assert set(metrics["test"]) >= {
        "roc_auc",
        "precision",
        "recall",
        "false_positive_rate",
        "brier",
        "reliability",
    }
    assert 0.5 < metrics["test"]["roc_auc"] <= 1.0
    assert sum(row["count"] for row in metrics["test"]["reliability"]) == metrics["test"]["size"]
    assert model.features[-1] == "wording"
    assert "text_log_chars" in model.features
    event = AuditEvent.objects.get(action=AuditEvent.Action.AUTHENTICITY_MODEL_TRAINED)
    assert (event.to_status, event.details["version"]) == ("authenticity-v1", 1)
    # a second training makes a new current version
    second = train_model(with_length=False)
    assert (second.version, second.is_current) == (2, True)
    assert "text_log_chars" not in second.features
    assert list(AuthenticityModel.objects.filter(is_current=True)) == [second]


def test_the_pipeline_records_the_score_its_explanation_and_the_version(
    submission, moderator, settings
):
    # given: a trained model, and a new fake-like review by a new account
    labelled_history(submission, moderator)
    train_model()
    settings.AUTHENTICITY_MODEL_HUMAN_THRESHOLD = 0.99
    author = UserFactory(date_joined=T0 + datetime.timedelta(days=30))
    sub = submission(
        author=author,
        rating=5,
        text=FAKE_TEXTS[0],
        submitted_at=T0 + datetime.timedelta(days=30, hours=1),
    )
    # when
    decision = moderate_submission(submission_id=sub.pk)
    # then
    assert decision.model_version == "authenticity-v1"
    assert 0.0 <= decision.model_score <= 1.0
    assert decision.model_explanation
    assert all(isinstance(s, str) for s in decision.model_explanation)
    assert decision.risk_score >= decision.model_score
    assert any(line.startswith("authenticity_model (") for line in decision.explanation)
    [line] = [line for line in decision.explanation if line.startswith("authenticity_model")]
    assert line == (
        f"authenticity_model ({decision.model_score:.2f}, authenticity-v1): "
        + "; ".join(decision.model_explanation)
    )
    assert not sub.signals.filter(check_name="authenticity_model").exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.MODERATION_DECIDED).last()
    assert event.details["authenticity_model"]["version"] == "authenticity-v1"


def test_a_high_score_sends_to_a_human_and_never_rejects(submission, moderator, settings):
    # given: a model, and a threshold every score reaches
    labelled_history(submission, moderator)
    train_model()
    settings.AUTHENTICITY_MODEL_HUMAN_THRESHOLD = 0.0
    clean = submission(submitted_at=T0 + datetime.timedelta(days=40))
    insulting = submission(
        text="Vendeur connard, service nul.", submitted_at=T0 + datetime.timedelta(days=40)
    )
    # when
    clean_decision = moderate_submission(submission_id=clean.pk)
    insult_decision = moderate_submission(submission_id=insulting.pk)
    # then: the model sends the clean one to a moderator, citing the rule it estimates
    assert (clean_decision.outcome, clean_decision.rule_code) == (
        "send_to_human",
        "no_consumer_experience",
    )
    clean.refresh_from_db()
    assert clean.state == "in_review"
    # and the rejection of the insult is the content rule's, not the model's
    assert (insult_decision.outcome, insult_decision.rule_code) == ("reject", "insult")
    assert (
        Decision.objects.filter(outcome="reject", rule_code="no_consumer_experience")
        .filter(decided_by__isnull=True)
        .count()
        == 0
    )


def test_without_a_model_the_decisions_are_the_checks_alone(submission):
    # given: no model
    sub = submission(rating=5, submitted_at=T0)
    expected = decide(run_checks(Submission.objects.get(pk=sub.pk)))
    # when
    decision = moderate_submission(submission_id=sub.pk)
    # then
    assert (decision.outcome, decision.rule_code, decision.risk_score) == (
        expected.outcome,
        expected.rule_code,
        expected.risk_score,
    )
    assert (decision.model_score, decision.model_version, decision.model_explanation) == (
        None,
        "",
        [],
    )
    assert not sub.signals.filter(check_name="authenticity_model").exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.MODERATION_DECIDED).last()
    assert "authenticity_model" not in event.details


def test_a_newer_model_replaces_the_cached_one(submission, moderator, settings):
    # given: a process that loaded version 1
    settings.AUTHENTICITY_MODEL_REFRESH_SECONDS = 0
    labelled_history(submission, moderator)
    train_model()
    assert scoring.current_model().version == 1
    # when
    train_model()
    # then
    assert scoring.current_model().version == 2


@pytest.mark.req("DSA-28")
def test_the_model_card_is_public_with_its_figures(client, submission, moderator, settings):
    # given: a model, one alert confirmed by a moderator
    labelled_history(submission, moderator)
    model = train_model()
    settings.AUTHENTICITY_MODEL_HUMAN_THRESHOLD = 0.0
    sub = submission(submitted_at=T0 + datetime.timedelta(days=41))
    moderate_submission(submission_id=sub.pk)
    Decision.objects.create(
        submission=sub,
        outcome=Decision.Outcome.REJECT,
        rule_code="no_consumer_experience",
        risk_score=0,
        ruleset_version="t",
        pipeline_version="t",
        decided_by=moderator,
        decided_at=timezone.now(),
    )
    # when
    page = client.get(reverse("transparency"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert '<dd id="model-version">authenticity-v1</dd>' in page
    assert f'<dd id="model-training-size">{model.training_size}</dd>' in page
    assert f'<dd id="model-roc-auc">{model.metrics["test"]["roc_auc"]}</dd>' in page
    assert '<dd id="model-alerts">1</dd>' in page
    assert '<dd id="model-confirmed">1.000 (1 / 1)</dd>' in page
    assert "never looks at who the author is" in page


def test_the_card_says_when_no_model_is_in_use(client, db):
    page = client.get(reverse("transparency"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="model-none"' in page


def test_training_with_too_few_labels_fails_clearly_and_stores_nothing(db):
    with pytest.raises(CommandError, match="Too few labels to train: 0 fake and 0 genuine"):
        call_command("train_authenticity_model", stdout=StringIO(), stderr=StringIO())
    assert AuthenticityModel.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,verdict\nr1,fake\n", "needs the columns external_id and label"),
        ("external_id,label\nr1,maybe\n", "Line 2 of .*: expected an external_id and a label"),
    ],
)
def test_a_bad_labels_file_fails_clearly_and_stores_nothing(db, tmp_path, content, message):
    path = tmp_path / "labels.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command(
            "train_authenticity_model", "--labels", str(path), stdout=StringIO(), stderr=StringIO()
        )
    assert AuthenticityModel.objects.count() == 0


def test_the_train_command_prints_and_stores_the_metrics(submission, moderator):
    # given
    labelled_history(submission, moderator)
    out = StringIO()
    # when
    call_command("train_authenticity_model", stdout=out, stderr=StringIO())
    # then
    model = AuthenticityModel.objects.get()
    assert f"Stored authenticity-v1 (current), trained on {model.metrics['train']['size']}" in (
        out.getvalue()
    )
    assert "ROC AUC" in out.getvalue()
    assert "false-positive rate" in out.getvalue()
    assert set(model.metrics["phases"]) == {
        "labels",
        "findings",
        "features",
        "split",
        "fit",
        "measure",
        "dump",
    }
    assert "Time by phase: labels " in out.getvalue()


def test_evaluate_fails_clearly_on_a_missing_file(db):
    with pytest.raises(CommandError, match="No such file: nowhere.csv"):
        call_command("evaluate_authenticity", "nowhere.csv", stdout=StringIO())


def test_the_item_page_shows_the_model_score_and_its_explanation(
    client, submission, moderator, settings
):
    # given: a model, and a review it sends to a moderator
    labelled_history(submission, moderator)
    train_model()
    settings.AUTHENTICITY_MODEL_HUMAN_THRESHOLD = 0.0
    sub = submission(submitted_at=T0 + datetime.timedelta(days=42))
    decision = moderate_submission(submission_id=sub.pk)
    item = sub.work_items.get(kind="review")
    moderator.language = "en"
    moderator.save(update_fields=["language"])
    client.force_login(moderator)
    # when
    html = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    # then
    block = html[html.index(f'id="authenticity-model-{decision.pk}"') :]
    assert f"Score {decision.model_score:.2f} (model authenticity-v1)" in block
    for reason in decision.model_explanation:
        assert f"<li>{escape(reason)}</li>" in block


COPIED = (
    "Chambre spacieuse et propre avec un personnel très aimable et un petit déjeuner copieux "
    "et varié dans un emplacement idéal pour visiter la vieille ville à pied"
)


def test_evaluate_replays_a_labelled_file_and_reports_its_figures(db, tmp_path, settings):
    # given: reviews imported with import_reviews (kind "review"), 4 genuine and 4 fakes
    # sharing one text; no model
    settings.AUTHENTICITY_MODEL_KINDS = ("review",)
    lines = ["external_id,brand,author_external_id,rating,text,language,submitted_at,label"]
    for n in range(4):
        lines.append(
            f"g{n},Hôtel {n % 2},ga{n},{3 + n % 2},"
            f"Séjour numéro {n} correct et calme quartier agréable rien à signaler de plus,"
            f"fr,2026-03-0{n + 1}T10:00:00Z,genuine"
        )
        lines.append(f"f{n},Hôtel {n % 2},fa{n},4,{COPIED},fr,2026-03-0{n + 1}T11:00:00Z,fake")
    path = tmp_path / "labelled.csv"
    path.write_text("\n".join(lines) + "\n")
    out = StringIO()
    # when
    call_command(
        "evaluate_authenticity",
        str(path),
        "--json",
        str(tmp_path / "figures.json"),
        stdout=out,
        stderr=StringIO(),
    )
    # then: the three later copies go to a moderator, the first copy and the genuine ones pass
    [result] = json.loads((tmp_path / "figures.json").read_text())
    assert (result["labelled"], result["not_imported"], result["undecided"]) == (8, 0, 0)
    assert result["model_versions"] == []
    overall = result["overall"]
    assert overall["pipeline"] == overall["heuristics"]
    assert overall["pipeline"] == {
        "size": 8,
        "fakes": 4,
        "roc_auc": 0.875,
        "flagged": 3,
        "precision": 1.0,
        "recall": 0.75,
        "false_positive_rate": 0.0,
    }
    assert sorted(result["per_rating"]) == ["3", "4"]
    assert "| all | 8 | 4 | heuristics alone | 0.875 | 3 | 1.000 | 0.750 | 0.000 |" in (
        out.getvalue()
    )
