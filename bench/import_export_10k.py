"""Import 10,000 reviews with full moderation, export the decisions, verify the audit trail.

Runs on its own PostgreSQL database (`voix_import_bench`, created and dropped), in one process
(`import_reviews --sync`), and prints the timings and the decision counts. The baseline in the
same run is the import of the same file's first 1,000 rows into an empty store: the ratio
tells whether the per-review cost grows with the store.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voix_import_bench \\
        .venv/bin/python bench/import_export_10k.py [--rows 10000]
"""

import argparse
import csv
import datetime
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voix_import_bench")

OPENINGS = [
    "Très bonne expérience",
    "Accueil chaleureux",
    "Déçu par ce passage",
    "Service rapide",
    "Commande livrée en retard",
    "Produit conforme",
    "Great visit",
    "Slow service",
    "Friendly staff",
    "Not what I expected",
]
MIDDLES = [
    "le personnel a pris le temps de répondre à mes questions",
    "la livraison est arrivée deux jours après la date annoncée",
    "les prix sont un peu élevés pour la qualité proposée",
    "le magasin était propre et bien rangé ce samedi",
    "le conseiller m'a rappelé le lendemain comme promis",
    "the staff explained the warranty clearly",
    "the parcel arrived damaged and the refund took three weeks",
    "prices were fair and the choice was wide",
    "la caisse automatique ne fonctionnait pas",
    "mon vélo a été réparé dans l'heure",
]
ENDINGS = [
    "Je reviendrai.",
    "Je ne recommande pas.",
    "Bon rapport qualité-prix.",
    "I will come back.",
    "Would not buy again.",
    "Rien à redire.",
]
INSULTS = [
    "Le gérant est un vrai connard, aucun respect pour les clients.",
    "Staff are a bunch of morons who should be fired.",
]
CAMPAIGN = (
    "Meilleure boutique de la ville, service parfait, prix imbattables, je recommande "
    "les yeux fermés à tous mes proches et amis"
)


def make_rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    rows = []
    for n in range(count):
        submitted = start + datetime.timedelta(minutes=n * 45 + rng.randint(0, 30))
        kind = rng.random()
        ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if kind < 0.02:
            text = rng.choice(INSULTS)
        elif kind < 0.03:
            text = f"Appelez-moi au 06 {rng.randint(10, 99)} 45 67 89, le vendeur m'a menti."
        elif kind < 0.05:
            text, ip = CAMPAIGN, "192.0.2.77"
        else:
            text = (
                f"{rng.choice(MIDDLES).capitalize()}, et {rng.choice(MIDDLES)}. "
                f"{rng.choice(ENDINGS)} (visite n°{n})"
            )
        rows.append(
            {
                "external_id": f"bench-{n}",
                "brand": f"Marque {rng.randint(1, 200)}",
                "place": "",
                "author_external_id": f"author-{rng.randint(1, 6000)}-{n % 3}",
                "author_email": "",
                "rating": str(rng.choice([1, 2, 3, 4, 4, 5, 5, 5])),
                "title": rng.choice(OPENINGS),
                "text": text,
                "language": "",
                "experience_date": (
                    submitted.date() - datetime.timedelta(days=rng.randint(0, 20))
                ).isoformat(),
                "submitted_at": submitted.isoformat(),
                "client_ip": ip,
                "user_agent": f"Mozilla/5.0 bench {rng.randint(1, 40)}",
                "channel": "other",
                "verified": "",
            }
        )
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def reset_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[-1]
    if name in ("voix", "test_voix", "postgres"):
        raise SystemExit(f"refusing to reset the {name} database")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    reset_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rows = make_rows(args.rows)
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        baseline, full = Path(tmp) / "first1000.csv", Path(tmp) / "all.csv"
        write_csv(rows[:1000], baseline)
        write_csv(rows, full)
        for label, path, count in (
            ("baseline: first 1,000 rows", baseline, 1000),
            (f"all {args.rows:,} rows", full, args.rows),
        ):
            t0 = time.perf_counter()
            call_command("import_reviews", str(path), "--sync", stdout=sys.stderr)
            elapsed = time.perf_counter() - t0
            new = count - (1000 if count != 1000 else 0)
            figures[label] = (elapsed, new)
        t0 = time.perf_counter()
        out = Path(tmp) / "decisions.jsonl"
        call_command("export_decisions", "--output", str(out))
        export_s = time.perf_counter() - t0
        lines = [json.loads(line) for line in out.read_text().splitlines()]
    t0 = time.perf_counter()
    call_command("verify_audit_trail", stdout=sys.stderr)
    verify_s = time.perf_counter() - t0
    statuses = Counter(line["status"] for line in lines)
    rules = Counter(line["rule_code"] for line in lines if line["rule_code"])
    print("| step | rows | seconds | reviews/s |")
    print("|---|---|---|---|")
    for label, (elapsed, new) in figures.items():
        print(f"| import --sync, {label} | {new:,} new | {elapsed:.1f} | {new / elapsed:.0f} |")
    per_base = figures["baseline: first 1,000 rows"][0] / 1000
    full_elapsed, full_new = figures[f"all {args.rows:,} rows"]
    print(f"| export_decisions | {len(lines):,} | {export_s:.1f} | {len(lines) / export_s:.0f} |")
    print(f"| verify_audit_trail | whole chain | {verify_s:.1f} | |")
    print(f"\nper-review cost, later rows / first 1,000: {full_elapsed / full_new / per_base:.2f}")
    print("statuses:", dict(statuses))
    print("rules:", dict(rules))


if __name__ == "__main__":
    main()
