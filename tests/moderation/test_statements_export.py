"""`manage.py export_statements_of_reasons`: the statements of a period in the EU Transparency
Database API format (DSA art. 24(5)), checked against a JSON Schema written from the table of
docs/standards.md §3, in batches of at most 100, with no personal data."""

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from moderation.models import Decision, StatementOfReasons
from moderation.rules import RULES
from moderation.statements import tdb_statement
from reviews.models import Review
from tests.factories import UserFactory
from tests.moderation.restrictions import (
    NOTICE,
    decided_by_moderator,
    rejected_by_pipeline,
    removed_after_notice,
    statement_of,
    submission_of,
)

SCHEMA = json.loads((Path(__file__).parent / "tdb_statement.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
PARIS = timezone.get_default_timezone()


def export(tmp_path: Path, *args: str) -> list[dict]:
    """Run the command into a file; returns its lines, each parsed."""
    output = tmp_path / "statements.jsonl"
    call_command("export_statements_of_reasons", *args, "--output", str(output))
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


def errors_of(record: dict) -> list[str]:
    return sorted(error.message for error in VALIDATOR.iter_errors(record))


@pytest.fixture
def three_restrictions(brand, moderator):
    """A refusal by the checks, a label by a moderator, a removal after a notice."""
    author = UserFactory(pseudonym="Auteurice", email="auteurice@example.org")
    reporter = UserFactory(pseudonym="Signaleur", email="signaleur@example.org")
    return [
        rejected_by_pipeline(author=author, brand=brand),
        decided_by_moderator(
            author=UserFactory(),
            brand=brand,
            moderator=moderator,
            action="label",
            rule_code="undisclosed_incentive",
        ),
        removed_after_notice(
            author=UserFactory(), brand=brand, reporter=reporter, moderator=moderator
        )[0],
    ]


@pytest.mark.req("DSA-27", "DSA-30")
def test_the_export_validates_against_the_transparency_database_schema(
    three_restrictions, tmp_path
):
    # when
    today = timezone.localdate().isoformat()
    [batch] = export(tmp_path, "--since", today)
    # then: one call's body, each statement valid
    assert list(batch) == ["statements"]
    records = batch["statements"]
    assert [errors_of(record) for record in records] == [[], [], []]
    assert [r["puid"] for r in records] == [statement_of(r).puid for r in three_restrictions]
    assert [r["decision_visibility"] for r in records] == [
        ["DECISION_VISIBILITY_CONTENT_DISABLED"],
        ["DECISION_VISIBILITY_CONTENT_LABELLED"],
        ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    ]
    refusal, label, removal = records
    assert refusal == {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_DISABLED"],
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_ground_reference_url": "http://127.0.0.1:8000/charte/#rule-insult",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "category": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "territorial_scope": refusal["territorial_scope"],
        "content_language": "FR",
        "content_date": today,
        "application_date": today,
        "decision_facts": statement_of(three_restrictions[0]).decision_facts,
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_FULLY",
        "puid": statement_of(three_restrictions[0]).puid,
        "category_specification": ["KEYWORD_CYBER_HARASSMENT"],
        "incompatible_content_ground": statement_of(three_restrictions[0]).ground,
        "incompatible_content_explanation": statement_of(three_restrictions[0]).ground_explanation,
    }
    assert len(refusal["territorial_scope"]) == 30
    assert "category_specification" in label
    assert (label["automated_detection"], label["automated_decision"]) == (
        "No",
        "AUTOMATED_DECISION_NOT_AUTOMATED",
    )
    # the illegal-content ground, and only it
    assert (removal["decision_ground"], removal["source_type"]) == (
        "DECISION_GROUND_ILLEGAL_CONTENT",
        "SOURCE_ARTICLE_16",
    )
    assert removal["illegal_content_legal_ground"] == RULES["defamation"].legal_ground
    assert not {"incompatible_content_ground", "incompatible_content_explanation"} & set(removal)


@pytest.mark.req("DSA-27")
def test_the_export_has_no_personal_data(three_restrictions, tmp_path):
    # when
    text = json.dumps(export(tmp_path, "--since", timezone.localdate().isoformat()))
    # then: no person, no content
    people = UserFactory._meta.model.objects.all()
    reviews = Review.objects.all()
    secrets = [
        *(u.email for u in people),
        *(u.pseudonym for u in people),
        *(r.title for r in reviews),
        *(r.text for r in reviews),
        *(r.text[:30] for r in reviews),
        *(r.network_hash for r in reviews if r.network_hash),
        *(r.device_hash for r in reviews if r.device_hash),
        *(submission_of(r).network_hash for r in reviews if submission_of(r).network_hash),
        NOTICE,
        "salauds",  # the insult the check found
    ]
    assert [secret for secret in secrets if secret in text] == []


def test_the_export_is_split_in_batches_of_at_most_100(brand, moderator, tmp_path):
    # given: 101 statements (one real, a hundred more decisions of the same submission)
    review = rejected_by_pipeline(author=UserFactory(), brand=brand)
    first = statement_of(review)
    for _ in range(100):
        decision = Decision.objects.create(
            submission=first.submission,
            outcome=Decision.Outcome.REJECT,
            rule_code="insult",
            risk_score=1,
            ruleset_version=first.decision.ruleset_version,
            pipeline_version=first.decision.pipeline_version,
            decided_by=moderator,
            decided_at=first.created_at,
        )
        fields = {
            f.name: getattr(first, f.name)
            for f in StatementOfReasons._meta.concrete_fields
            if f.name not in ("id", "decision", "puid")
        }
        StatementOfReasons.objects.create(
            **fields, decision=decision, puid=f"voix-decision-{decision.pk}"
        )
    # when
    batches = export(tmp_path, "--since", timezone.localdate().isoformat())
    # then
    assert [len(batch["statements"]) for batch in batches] == [100, 1]
    puids = [record["puid"] for batch in batches for record in batch["statements"]]
    assert len(set(puids)) == 101
    assert puids[0] == first.puid


def test_the_export_takes_the_days_asked_in_the_platforms_time_zone(brand, tmp_path, capsys):
    # given: statements issued late on 1 October, on 2 October and on 3 October (Paris time)
    author = UserFactory()
    moments = [
        datetime.datetime(2026, 10, 1, 23, 30, tzinfo=PARIS),  # 21:30 UTC
        datetime.datetime(2026, 10, 2, 12, 0, tzinfo=PARIS),
        datetime.datetime(2026, 10, 3, 0, 15, tzinfo=PARIS),  # 2 October 22:15 UTC
    ]
    puids = []
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            puids.append(statement_of(rejected_by_pipeline(author=author, brand=brand)).puid)
    # when
    both = export(tmp_path, "--since", "2026-10-01", "--until", "2026-10-02")
    last = export(tmp_path, "--since", "2026-10-03", "--until", "2026-10-03")
    # then
    assert [r["puid"] for r in both[0]["statements"]] == puids[:2]
    assert [r["puid"] for r in last[0]["statements"]] == puids[2:]
    assert "1 statements of reasons from 2026-10-03 to 2026-10-03, in 1 batches" in (
        capsys.readouterr().err
    )


def test_a_period_without_statements_writes_nothing(db, tmp_path, capsys):
    assert export(tmp_path, "--since", "2026-01-01", "--until", "2026-01-31") == []
    assert "0 statements of reasons" in capsys.readouterr().err


def test_the_export_writes_to_standard_output_without_a_file(three_restrictions, capsys):
    call_command("export_statements_of_reasons", "--since", timezone.localdate().isoformat())
    [line] = capsys.readouterr().out.splitlines()
    assert len(json.loads(line)["statements"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "01/10/2026"], "--since: '01/10/2026' is not a date written YYYY-MM-DD."),
        (
            ["--since", "2026-10-02", "--until", "2026-13-01"],
            "--until: '2026-13-01' is not a date written YYYY-MM-DD.",
        ),
        (["--since", "2026-10-02", "--until", "2026-10-01"], "--until is before --since."),
    ],
)
def test_bad_dates_are_refused(db, args, message):
    with pytest.raises(CommandError, match="^" + message.replace(".", r"\.") + "$"):
        call_command("export_statements_of_reasons", *args)


def test_since_is_required(db):
    with pytest.raises(CommandError, match="--since"):
        call_command("export_statements_of_reasons")


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"author_email": "a@example.org"}, "Additional properties are not allowed"),
        ({"puid": "voix decision 1"}, "does not match"),
        ({"content_date": "1999-12-31"}, "does not match"),
        ({"application_date": "2019-12-31"}, "does not match"),
        ({"content_date": "2026-02-30"}, "is not a 'date'"),
        ({"territorial_scope": ["EL"]}, "is not one of"),
        ({"automated_detection": True}, "is not one of"),
        ({"decision_facts": "x" * 5001}, "is too long"),
        ({"decision_visibility": ["DECISION_VISIBILITY_OTHER"]}, "'decision_visibility_other'"),
        ({"incompatible_content_explanation": None}, "None is not of type 'string'"),
        ({"decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"}, "is a required property"),
        ({"category": "STATEMENT_CATEGORY_FAKE_REVIEWS"}, "is not one of"),
    ],
)
def test_the_schema_refuses_what_the_database_would(brand, change, complaint):
    # given: a valid record
    record = tdb_statement(statement_of(rejected_by_pipeline(author=UserFactory(), brand=brand)))
    assert errors_of(record) == []
    # when / then
    assert any(complaint in error for error in errors_of({**record, **change}))


def test_the_schema_wants_one_decision_and_no_foreign_ground(brand):
    record = tdb_statement(statement_of(rejected_by_pipeline(author=UserFactory(), brand=brand)))
    no_decision = {k: v for k, v in record.items() if k != "decision_visibility"}
    assert errors_of(no_decision) != []
    mixed = {**record, "illegal_content_legal_ground": "Loi du 29 juillet 1881"}
    assert errors_of(mixed) != []
