"""The authenticity model on public labelled data: heuristics alone vs with the model, with and
without the text-length features, on held-out brands and on a held-out source.

Usage (from the repository root; about 10 minutes on a quiet 2-core machine):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voix_bench_authenticity \\
        .venv/bin/python bench/authenticity_eval.py [--data ../shared/data/authenticity]

What it does, with the same commands a user runs:
1. Converts the CSVs of `shared/data/authenticity/` (see its README) to the `import_reviews`
   format plus a `label` column (fake or genuine). Brand = the product category (Salminen et
   al.) or the hotel (MAiDE-up). The data sets have no authors, dates, networks or devices:
   each review gets its own imported author and a date drawn at random over the past 300 days
   (seeded, the same way for fakes and genuine reviews), so the behaviour, network and burst
   features carry no information here; only the text, the rating's extremity and its distance
   from the brand's mean do.
2. Two splits, grouped so that no brand (or source) is on both sides:
   - "brands": both sources pooled, 60 % of the brands for training, 40 % held out
     (GroupShuffleSplit);
   - "sources": train on Salminen et al. (GPT-2-era fakes of product reviews), test on
     MAiDE-up (GPT-4 fakes of hotel reviews).
3. For each split: `import_reviews train.csv --sync` in a fresh database; then for each
   variant (with / without text length), in a copy of that database:
   `train_authenticity_model --labels train_labels.csv [--no-length]`, then
   `evaluate_authenticity test.csv`, which replays the held-out file through the pipeline in
   submission order and reports, on the same replay, the heuristics alone and the pipeline
   with the model.
4. Prints Markdown tables with the machine and the date (copied into docs/benchmarks.md) and
   writes every figure as JSON (--out, default /tmp/authenticity_eval.json).
"""

import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voix_bench_authenticity")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402
import psycopg  # noqa: E402
from common import admin_conninfo, drop_database, machine, recreate_database  # noqa: E402

DEFAULT_DATA = REPO / ".." / "shared" / "data" / "authenticity"
FIELDS = [
    "external_id",
    "brand",
    "author_external_id",
    "rating",
    "title",
    "text",
    "language",
    "submitted_at",
    "label",
]


def _stars_of_ten(score: str) -> int:
    return max(1, min(5, math.ceil(float(score) / 2)))


def load_rows(data: Path, seed: int) -> list[dict[str, str]]:
    """Every labelled review in the import format, with its source."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def when() -> str:
        return (now - dt.timedelta(seconds=rng.randrange(10 * 86400, 300 * 86400))).isoformat()

    rows: list[dict[str, str]] = []
    with (data / "salminen_generated_vs_original_en.csv").open(encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            rows.append(
                {
                    "external_id": f"salminen-{n}",
                    "brand": row["category"].removesuffix("_5").replace("_", " "),
                    "rating": str(int(float(row["rating"]))),
                    "text": row["text"].strip(),
                    "label": "fake" if row["label"] == "generated" else "genuine",
                    "source": "salminen",
                }
            )
    for name, label in (("maideup_real_en.csv", "genuine"), ("maideup_generated_en.csv", "fake")):
        with (data / name).open(encoding="utf-8") as f:
            for n, row in enumerate(csv.DictReader(f)):
                text = " ".join(
                    part.strip() for part in (row["Upside_Review"], row["Downside_Review"]) if part
                )
                rows.append(
                    {
                        "external_id": f"maideup-{label}-{n}",
                        "brand": f"{row['Hotel Name']} ({row['City Name']})",
                        "rating": str(_stars_of_ten(row["Review_Score"])),
                        "text": text,
                        "label": label,
                        "source": "maideup",
                    }
                )
    for row in rows:
        row |= {
            "author_external_id": f"author-{row['external_id']}",
            "title": "",
            "language": "en",
            "submitted_at": when(),
        }
    return [row for row in rows if row["text"]]


def split_rows(rows: list[dict[str, str]], how: str, seed: int):
    import numpy as np
    from sklearn.model_selection import GroupShuffleSplit

    if how == "sources":
        # All of MAiDE-up: none of it is on the training side whatever part is held out.
        held_out = [r for r in rows if r["source"] == "maideup"]
        return [r for r in rows if r["source"] == "salminen"], held_out
    groups = [f"{r['source']}:{r['brand']}" for r in rows]
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.4, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(rows)), groups=groups))
    return [rows[i] for i in train], [rows[i] for i in test]


def write_files(folder: Path, name: str, rows: list[dict[str, str]]) -> tuple[Path, Path]:
    reviews, labels = folder / f"{name}.csv", folder / f"{name}_labels.csv"
    with reviews.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with labels.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["external_id", "label"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return reviews, labels


def use_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def copy_database(url: str, source: str, name: str) -> None:
    """A copy of a database (PostgreSQL's template copy: seconds, not a second import)."""
    from django.db import connections

    connections.close_all()
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def import_training(url: str, name: str, train: Path, *, resume: bool) -> float:
    """A fresh, migrated database holding the training file, imported and moderated (with
    `resume`, the database left by an interrupted run: import_reviews skips what is there)."""
    from django.core.management import call_command

    use_database(name)
    if not resume:
        recreate_database(url, name)
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("import_reviews", str(train), sync=True, stdout=StringIO(), stderr=StringIO())
    return time.monotonic() - started


def run(url: str, base: str, labels: Path, test: Path, *, no_length: bool) -> dict:
    """In a copy of the training database: train, then evaluate on the held-out file."""
    from django.core.management import call_command

    name = f"{base}_run"
    copy_database(url, base, name)
    use_database(name)
    out = StringIO()
    args = ["--labels", str(labels), "--json"] + (["--no-length"] if no_length else [])
    started = time.monotonic()
    call_command("train_authenticity_model", *args, stdout=out, stderr=StringIO())
    trained = time.monotonic() - started
    metrics = json.loads(out.getvalue())
    result_path = Path(tempfile.mkstemp(suffix=".json")[1])
    started = time.monotonic()
    call_command(
        "evaluate_authenticity",
        str(test),
        "--json",
        str(result_path),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    evaluated = time.monotonic() - started
    result = json.loads(result_path.read_text())[0]
    result_path.unlink()
    use_database(base)
    drop_database(url, name)
    return {
        "metrics": metrics,
        "evaluation": result,
        "seconds": {"train": trained, "evaluate": evaluated},
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def table(results: dict[str, dict]) -> str:
    lines = [
        "| split | variant | test reviews (fakes) | decided by | ROC AUC | flagged | "
        "precision | recall | false-positive rate |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for key, result in results.items():
        split, variant = key.split("/")
        overall = result["evaluation"]["overall"]
        columns = [("pipeline", "with the model")]
        if variant == "with length":
            columns.insert(0, ("heuristics", "heuristics alone"))
        for column, label in columns:
            f = overall[column]
            lines.append(
                f"| {split} | {variant} | {f['size']} ({f['fakes']}) | {label} | "
                f"{_fmt(f['roc_auc'])} | {f['flagged']} | {_fmt(f['precision'])} | "
                f"{_fmt(f['recall'])} | {_fmt(f['false_positive_rate'])} |"
            )
    return "\n".join(lines)


def per_rating_table(result: dict) -> str:
    lines = [
        "| rating | reviews (fakes) | ROC AUC | precision | recall | false-positive rate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for rating, group in result["evaluation"]["per_rating"].items():
        f = group["pipeline"]
        lines.append(
            f"| {rating}★ | {f['size']} ({f['fakes']}) | {_fmt(f['roc_auc'])} | "
            f"{_fmt(f['precision'])} | {_fmt(f['recall'])} | {_fmt(f['false_positive_rate'])} |"
        )
    return "\n".join(lines)


def holdout_table(results: dict[str, dict]) -> str:
    lines = [
        "| split | variant | training reviews | training s | hold-out ROC AUC | Brier |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for key, result in results.items():
        split, variant = key.split("/")
        m = result["metrics"]
        lines.append(
            f"| {split} | {variant} | {m['train']['size']} | {result['seconds']['train']:.0f} | "
            f"{_fmt(m['test']['roc_auc'])} | {_fmt(m['test']['brier'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--splits", nargs="+", default=["brands", "sources"])
    parser.add_argument("--keep", action="store_true", help="keep the last database")
    parser.add_argument("--max-train", type=int, default=0, help="sample of the training side")
    parser.add_argument("--max-test", type=int, default=0, help="sample of the held-out side")
    parser.add_argument("--with-length-only", action="store_true")
    parser.add_argument(
        "--resume", action="store_true", help="continue the training import of a stopped run"
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/authenticity_eval.json"))
    args = parser.parse_args()
    if not (args.data / "salminen_generated_vs_original_en.csv").exists():
        sys.exit(f"The labelled data is not in {args.data} (see shared/data/README.md).")
    url = os.environ["DATABASE_URL"]
    name = urlparse(url).path.lstrip("/")
    if not name.startswith("voix_bench"):
        sys.exit("DATABASE_URL must name a voix_bench... database: it is dropped and recreated.")
    if not args.resume:
        recreate_database(url, name)
    django.setup()
    from django.conf import settings

    rows = load_rows(args.data, args.seed)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        for how in args.splits:
            train_rows, test_rows = split_rows(rows, how, args.seed)
            # Smaller samples (seeded) when the machine is too busy for the whole files.
            sample = random.Random(args.seed)
            if args.max_train and len(train_rows) > args.max_train:
                train_rows = sample.sample(train_rows, args.max_train)
            if args.max_test and len(test_rows) > args.max_test:
                test_rows = sample.sample(test_rows, args.max_test)
            train, labels = write_files(Path(folder), f"{how}_train", train_rows)
            test, _labels = write_files(Path(folder), f"{how}_test", test_rows)
            print(f"{how}: {len(train_rows)} training, {len(test_rows)} test reviews", flush=True)
            imported = import_training(url, name, train, resume=args.resume)
            print(f"{how}: training file imported in {imported:.0f} s", flush=True)
            variants = (("with length", False), ("without length", True))
            for variant, no_length in variants[: 1 if args.with_length_only else 2]:
                key = f"{how}/{variant}"
                results[key] = run(url, name, labels, test, no_length=no_length)
                results[key]["seconds"]["import_training"] = imported
                print(key, json.dumps(results[key]), flush=True)
    facts = machine()
    if not args.keep:
        drop_database(url, name)
    report = "\n\n".join(
        [
            f"Results on {dt.date.today().isoformat()}, {facts['nproc']}-core {facts['cpu']}, "
            f"{facts['ram']}, PostgreSQL {facts['postgres']}, Python {facts['python']}, "
            f"Django {facts['django']}; threshold AUTHENTICITY_MODEL_HUMAN_THRESHOLD = "
            f"{settings.AUTHENTICITY_MODEL_HUMAN_THRESHOLD}, MODERATION_HUMAN_THRESHOLD = "
            f"{settings.MODERATION_HUMAN_THRESHOLD}.",
            "On the held-out test file, replayed through the pipeline "
            '(`evaluate_authenticity`), "flagged" = sent to a moderator or rejected:',
            table(results),
            "The training command's own hold-out (25 % of the training brands):",
            holdout_table(results),
            *(
                f"Per rating, {key}, with the model:\n\n{per_rating_table(result)}"
                for key, result in results.items()
                if key.endswith("with length")
            ),
        ]
    )
    print(report)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
