import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from moderation.models import Submission
from reviews.models import Review

HEADER = (
    "external_id,brand,place,author_external_id,author_email,rating,title,text,language,"
    "experience_date,submitted_at,client_ip,user_agent,channel,verified\n"
)
GOOD = [
    'ext-1,Boulangerie Dupain,Dupain Bastille,a-1,alice@example.org,5,Parfait,"Pain croustillant, '
    'accueil souriant, je recommande cette boulangerie.",fr,2026-03-01,2026-03-02T10:00:00Z,'
    "203.0.113.1,Mozilla,in_store,true",
    "ext-2,Boulangerie Dupain,,a-2,,2,Bof,\"Croissants secs et file d'attente interminable "
    'le dimanche matin.",fr,,2026-03-03,,,,',
    "ext-3,Vélos Rapides,,a-1,,1,Nul,\"Le vendeur est un vrai connard, il m'a traité comme "
    'un moins que rien.",fr,,2026-03-04T09:00:00+01:00,,,website,',
]
BAD = [
    "ext-4,Vélos Rapides,,a-3,,five,Titre,Texte assez long pour passer la limite.,fr,,"
    "2026-03-05,,,,",
    ",Vélos Rapides,,a-3,,4,Titre,Texte assez long pour passer la limite.,fr,,2026-03-05,,,,",
    "ext-6,Vélos Rapides,,a-3,,4,Titre,Court,fr,,2026-03-05,,,,",
    "ext-7,Vélos Rapides,,a-3,,4,Titre,Texte assez long pour passer la limite.,fr,,2999-01-01,,,,",
]


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(HEADER + "\n".join(GOOD + BAD) + "\n", encoding="utf-8")
    return path


def test_import_moderates_each_review_and_reports_bad_rows(db, csv_file, capsys, mailoutbox):
    # when
    call_command("import_reviews", str(csv_file), "--sync")
    # then
    out, err = capsys.readouterr()
    assert "Imported 3 reviews (0 already imported, 4 bad rows skipped)" in out
    assert "line 5: rating is not a whole number: 'five'" in err
    assert "line 6: missing external_id" in err
    assert "line 7: text:" in err
    assert "line 8: submitted_at is in the future" in err
    statuses = dict(Review.objects.values_list("external_id", "status"))
    assert statuses == {"ext-1": "published", "ext-2": "published", "ext-3": "rejected"}
    first = Review.objects.get(external_id="ext-1")
    assert (first.submitted_at.isoformat(), str(first.experience_date)) == (
        "2026-03-02T10:00:00+00:00",
        "2026-03-01",
    )
    assert (first.verification, first.place.name, first.channel) == (
        "invitation",
        "Dupain Bastille",
        "in_store",
    )
    assert not Submission.objects.filter(state="pending").exists()
    # imported authors: no login, never emailed
    authors = User.objects.filter(is_imported=True)
    assert authors.count() == 2
    assert not any(author.has_usable_password() for author in authors)
    assert mailoutbox == []


def test_import_is_idempotent_on_external_id(db, csv_file, capsys):
    call_command("import_reviews", str(csv_file), "--sync")
    call_command("import_reviews", str(csv_file), "--sync")
    assert "Imported 0 reviews (3 already imported, 4 bad rows skipped)" in capsys.readouterr().out
    assert Review.objects.count() == 3


def test_import_reads_json_lines(db, tmp_path, capsys):
    path = tmp_path / "reviews.jsonl"
    rows = [
        {
            "external_id": f"j-{n}",
            "brand": "Livraison Éclair",
            "author_external_id": f"u{n}",
            "rating": 3,
            "text": f"Livraison correcte numéro {n}, repas tiède mais complet.",
            "submitted_at": f"2026-02-0{n + 1}T12:00:00Z",
        }
        for n in range(3)
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n{broken\n", encoding="utf-8")
    call_command("import_reviews", str(path), "--sync")
    out, err = capsys.readouterr()
    assert "Imported 3 reviews" in out
    assert "line 4: invalid JSON" in err


def test_import_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_reviews", str(tmp_path / "nope.csv"))


def test_export_writes_one_decision_per_review(db, csv_file, tmp_path, capsys):
    # given
    call_command("import_reviews", str(csv_file), "--sync")
    out_path = tmp_path / "decisions.jsonl"
    # when
    call_command("export_decisions", "--output", str(out_path))
    # then
    lines = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert [line["external_id"] for line in lines] == ["ext-1", "ext-2", "ext-3"]
    rejected = lines[2]
    assert (rejected["status"], rejected["rule_code"], rejected["decided_by"]) == (
        "rejected",
        "insult",
        "pipeline",
    )
    assert 0.0 <= rejected["risk_score"] <= 1.0
    assert rejected["signals"][0]["name"] == "insult"
    assert set(rejected["signals"][0]) == {"name", "score", "evidence"}
    assert rejected["decided_at"]
    assert lines[0]["signals"] == [] or all(s["score"] < 0.5 for s in lines[0]["signals"])


def test_export_to_standard_output(db, csv_file, capsys):
    call_command("import_reviews", str(csv_file), "--sync")
    capsys.readouterr()
    call_command("export_decisions")
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_imported_authors_keep_only_their_email_domain(db, tmp_path):
    # given: an author whose provider knew them as staff of the brand
    path = tmp_path / "r.csv"
    path.write_text(
        HEADER + 'x-1,Boulangerie Dupain,,s-1,vendeuse@dupain.fr,5,Top,"Meilleure '
        'boulangerie du quartier, allez-y les yeux fermés !",fr,,2026-03-02,,,,\n'
    )
    from django.db import transaction

    from brands.services import create_brand

    with transaction.atomic():
        create_brand(name="Boulangerie Dupain", domain="dupain.fr", actor=None)
    # when
    call_command("import_reviews", str(path), "--sync")
    # then
    author = User.objects.get(is_imported=True)
    assert "vendeuse" not in author.email
    assert author.email_domain == "dupain.fr"
    review = Review.objects.get()
    assert (review.status, review.rule_code) == ("in_review", "conflict_of_interest")
