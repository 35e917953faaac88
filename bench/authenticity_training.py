"""Training time of the authenticity model at 10,000 and 100,000 labelled reviews.

Usage (from the repository root; about 3 minutes on 2 cores):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voix_bench_training \\
        .venv/bin/python bench/authenticity_training.py [--sizes 10000 100000] [--keep]

What it does:
1. Drops and recreates the dedicated database named in DATABASE_URL (it must be called
   voix_bench...) and migrates it.
2. Fills the store up to each size with `pipeline_throughput.py`'s generator (PostgreSQL COPY:
   brands, accounts with heavy-tailed activity, reviews with realistic texts from
   `review_corpus.py` and their real MinHash signatures, submissions, pipeline decisions, audit
   events; networks and devices with realistic reuse), with fewer accounts than there, so that
   most authors write several reviews.
3. Records what the pipeline and moderators would have: the checks' signals (a new account's
   or a first review's 1- or 5-star rating, as `check_new_account_extreme_rating` finds it; the
   content finding behind each automated rejection) and one moderator decision per submission,
   the labels `train_authenticity_model` reads: a fake rejected under an authenticity rule, or
   a genuine review published. Fakes are drawn at random (seeded), more likely for a new
   account's or first review's extreme rating and for an account writing many reviews, so the
   model has something to learn and the fit works as hard as on real labels.
4. Runs `train_authenticity_model --json` (the command a user runs, in this process) and
   reports its time per phase (`metrics["phases"]`), per review, at each size. The smallest
   size is the baseline of the same run: the cost per review should stay about flat.
5. Prints a Markdown paragraph and table with the machine and the date.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voix_bench_authenticity_training"
)

import pipeline_throughput as fill  # noqa: E402  (sets the settings module, no Redis)
import psycopg  # noqa: E402
from common import drop_database, machine, recreate_database  # noqa: E402

UTC = dt.UTC
MODERATOR_ID = 0  # an id no generated account takes (they start at 1)
# The pipeline's content rejections, by the rule the fill gives them: the finding behind each.
CONTENT_CHECKS = {
    "insult": "insults",
    "advertising": "advertising",
    "personal_data": "personal_data",
    "unintelligible": "unintelligible",
}
PHASES = ("labels", "findings", "features", "split", "fit", "measure", "dump")


def add_moderator(conn: psycopg.Connection) -> None:
    with conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO accounts_user ({fill.USER_COLS}) VALUES "
            "(%s, '!bench', NULL, false, false, true, now(), 'moderation@voix.test', "
            "'Moderation', 'moderator', now(), 'fr', '[\"fr\", \"en\"]', false)",
            [MODERATOR_ID],
        )
    conn.commit()


def record_signals_and_labels(conn: psycopg.Connection, *, seed: int) -> dict[str, int]:
    """Signals and one moderator decision for each submission without one yet (set-based SQL:
    seconds for 100,000)."""
    with conn.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cur.execute(
            "CREATE TEMP TABLE todo ON COMMIT DROP AS "
            "SELECT s.id, s.rating, s.submitted_at, "
            "  (s.rating IN (1, 5) AND (s.submitted_at - s.author_joined_at < interval '7 days' "
            "   OR NOT EXISTS (SELECT 1 FROM moderation_submission e WHERE e.author_id = "
            "   s.author_id AND (e.submitted_at, e.id) < (s.submitted_at, s.id)))) "
            "  AS first_extreme, "
            "  (SELECT count(*) FROM moderation_submission d WHERE d.author_id = s.author_id "
            "   AND d.submitted_at BETWEEN s.submitted_at - interval '1 day' AND s.submitted_at"
            "  ) AS author_day "
            "FROM moderation_submission s WHERE NOT EXISTS (SELECT 1 FROM moderation_decision m "
            "WHERE m.submission_id = s.id AND m.decided_by_id IS NOT NULL)"
        )
        cur.execute(
            "INSERT INTO moderation_signal (submission_id, check_name, rule_code, score, "
            "evidence, data) SELECT id, 'new_account_extreme_rating', 'no_consumer_experience', "
            "0.3, rating || '-star rating; first review of this account', '{}' "
            "FROM todo WHERE first_extreme"
        )
        first = cur.rowcount
        for rule, check in CONTENT_CHECKS.items():
            cur.execute(
                "INSERT INTO moderation_signal (submission_id, check_name, rule_code, score, "
                "evidence, data) SELECT d.submission_id, %s, %s, 1.0, 'found in the text', '{}' "
                "FROM moderation_decision d JOIN todo t ON t.id = d.submission_id "
                "WHERE d.decided_by_id IS NULL AND d.outcome = 'reject' AND d.rule_code = %s",
                [check, rule, rule],
            )
        # About 10 % fakes: more likely for a first or new account's extreme rating and for an
        # account's many reviews in a day; never certain, never impossible.
        cur.execute(
            "ALTER TABLE todo ADD COLUMN fake boolean; "
            "UPDATE todo SET fake = random() < 0.04 + CASE WHEN first_extreme THEN 0.30 ELSE 0 END"
            " + least(author_day - 1, 4) * 0.08"
        )
        cur.execute(
            "INSERT INTO moderation_decision (submission_id, outcome, rule_code, risk_score, "
            "explanation, ruleset_version, pipeline_version, decided_by_id, note, decided_at, "
            "source, model_score, model_version, model_explanation) "
            "SELECT id, CASE WHEN fake THEN 'reject' ELSE 'publish' END, "
            "CASE WHEN NOT fake THEN '' WHEN id %% 3 = 0 THEN 'coordinated_campaign' "
            "ELSE 'no_consumer_experience' END, 0, '[]', 'bench', 'bench', %s, '', "
            "submitted_at + interval '1 day', '', NULL, '', '[]' FROM todo",
            [MODERATOR_ID],
        )
        cur.execute("SELECT count(*), count(*) FILTER (WHERE fake) FROM todo")
        labelled, fakes = cur.fetchone()
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE moderation_decision")
        cur.execute("VACUUM ANALYZE moderation_signal")
    conn.autocommit = False
    return {"labelled": labelled, "fakes": fakes, "first_extreme_signals": first}


def train() -> tuple[dict, float]:
    from django.core.management import call_command
    from django.db import connection

    out = StringIO()
    started = time.perf_counter()
    call_command("train_authenticity_model", "--json", stdout=out, stderr=StringIO())
    wall = time.perf_counter() - started
    connection.close()
    return json.loads(out.getvalue()), wall


def report(results: list[dict], info: dict, args) -> str:
    base = results[0]
    head = (
        f"Measured {info['date']} by `bench/authenticity_training.py --sizes "
        f"{' '.join(str(s) for s in args.sizes)}`: {info['nproc']} cores ({info['cpu']}), "
        f"{info['ram']}, PostgreSQL {info['postgres']}, Python {info['python']}, "
        f"load average {info['load']} at the start and {results[-1]['load']} at the end."
    )
    lines = [
        "| phase | "
        + " | ".join(f"{r['labelled']:,} labelled: s" for r in results)
        + " | "
        + " | ".join(f"ms/review at {r['labelled']:,}" for r in results)
        + " |",
        "|---|" + "---:|" * (2 * len(results)),
    ]
    for phase in (*PHASES, "total"):
        seconds = [r["phases"].get(phase, 0.0) if phase != "total" else r["wall"] for r in results]
        per = [1000 * s / r["labelled"] for s, r in zip(seconds, results, strict=True)]
        lines.append(
            f"| {phase} | "
            + " | ".join(f"{s:.1f}" for s in seconds)
            + " | "
            + " | ".join(f"{p:.2f}" for p in per)
            + " |"
        )
    ratios = ", ".join(
        f"{r['labelled']:,}: {r['wall'] / r['labelled'] / (base['wall'] / base['labelled']):.2f}"
        for r in results[1:]
    )
    aucs = ", ".join(f"{r['labelled']:,}: {r['roc_auc']}" for r in results)
    tail = f"Hold-out ROC AUC on these synthetic labels: {aucs}."
    if ratios:
        baseline = f"Cost per review against the {base['labelled']:,} baseline of the same run"
        tail = f"{baseline}: {ratios}. {tail}"
    return "\n\n".join([head, "\n".join(lines), tail])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--brands", type=int, default=2000)
    parser.add_argument("--authors", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="processes generating rows")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    args.sizes = sorted(args.sizes)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", flush=True)

    url, name = fill.database_url()
    log(f"recreating database {name}")
    recreate_database(url, name)
    fill.django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    info = machine()
    info["date"] = dt.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    info["load"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    log(f"machine: {info}")
    end = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(days=2)
    fill.WORLD = fill.World(seed=args.seed, brands=args.brands, authors=args.authors, end=end)
    connections.close_all()  # nothing shared with the forked workers
    conn = psycopg.connect(url)
    fill.fill_world(conn, fill.WORLD)
    add_moderator(conn)
    results = []
    try:
        for size in args.sizes:
            log(f"filling to {size:,} submissions")
            fill.fill_to(conn, size, args.workers, log)
            labels = record_signals_and_labels(conn, seed=args.seed)
            log(f"    recorded {labels}")
            log("    train_authenticity_model --json")
            metrics, wall = train()
            result = {
                "labelled": metrics["train"]["size"] + metrics["test"]["size"],
                "phases": metrics["phases"],
                "wall": wall,
                "roc_auc": metrics["test"]["roc_auc"],
                "fit_iterations": metrics["fit_iterations"],
                "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            }
            results.append(result)
            log(f"    {json.dumps(result)}")
    finally:
        conn.close()
    print()
    print(report(results, info, args))
    if args.keep:
        log(f"kept database {name}")
    else:
        drop_database(url, name)
        log(f"dropped database {name}")


if __name__ == "__main__":
    main()
