"""Precision, recall and false-positive rate of the word-list checks on labelled French tweets.

Usage (from the repository root):

    .venv/bin/python bench/toxicity_eval.py [path/to/mlma_fr.csv] [--show-errors N]
    .venv/bin/python bench/toxicity_eval.py --speed   # reviews per second, all content checks

The data set is the French part of MLMA (Ousidhoum et al., 2019, MIT licence): tweets with a
`sentiment` column holding one or more of hateful, offensive, abusive, disrespectful, fearful
and normal, joined by "_" when annotators disagreed ("abusive_normal").

What counts:
- positive: the labels include hateful, offensive or abusive (even alongside "normal");
- negative: the label is exactly "normal";
- left out: labels made only of disrespectful and/or fearful (with or without normal), which
  are about tone, not about insults, slurs or threats.
A tweet is predicted positive when check_insults, check_hate_speech or check_threats returns a
finding with score >= 0.8, the pipeline's rejection threshold. Findings between 0.5 and 0.8
(sent to a moderator) are counted apart.

Tweets are not reviews: they are short, full of slang, and many are labelled offensive for
their politics without a single insulting word, which the word lists do not try to catch. Read
the recall as "how much of the hostility is lexical", the precision and false-positive rate as
what a reviewer would suffer.
"""

import argparse
import csv
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO / ".." / "shared" / "data" / "toxicity" / "mlma_fr.csv"
POSITIVE_LABELS = frozenset({"hateful", "offensive", "abusive"})
REJECT_AT = 0.8
HUMAN_AT = 0.5
# A typical review of about 400 characters, one with nothing to find and one with a phone
# number (phone parsing is the slowest part, and only runs when a text has 8 digits or more).
TYPICAL_REVIEW = (
    "Commande passée le lundi, reçue le mercredi. Le vendeur a pris le temps de répondre à mes "
    "questions sur la garantie, l'emballage était soigné et le prix correct, même si la notice "
    "est un peu légère et le câble trop court. Le service client a répondu en moins d'une heure "
    "quand j'ai demandé une facture. Je recommande ce magasin, j'y retournerai sans hésiter pour "
    "équiper le reste de la maison."
)
REVIEW_WITH_PHONE = TYPICAL_REVIEW.replace("en moins d'une heure", "au 01 23 45 67 89")


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    sent_to_human: Counter[str] = field(default_factory=Counter)  # label class -> count
    by_rule: Counter[str] = field(default_factory=Counter)  # rule -> true positives

    def ratio(self, numerator: int, denominator: int) -> float:
        return numerator / denominator if denominator else 0.0


def setup_django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def label_class(sentiment: str) -> str | None:
    """'positive', 'negative', or None for a tweet left out of the figures."""
    labels = set(sentiment.split("_"))
    if labels & POSITIVE_LABELS:
        return "positive"
    if labels == {"normal"}:
        return "negative"
    return None


def measure_speed(seconds: float = 3.0) -> None:
    """Reviews per second through every content check, on one core."""
    from moderation.checks.content import CONTENT_CHECKS, detect_language
    from moderation.checks.text import normal_forms

    detect_language("warm-up: the language model loads on first use")
    for label, text in (("clean", TYPICAL_REVIEW), ("with a phone number", REVIEW_WITH_PHONE)):
        runs, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            normal_forms.cache_clear()  # each review is new to the checks, as in the pipeline
            for check in CONTENT_CHECKS:
                check(title="Très satisfait", text=text, language="fr")
            runs += 1
        print(f"{label} review of {len(text)} characters: {runs / elapsed:.0f} reviews/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--speed", action="store_true", help="measure reviews per second")
    parser.add_argument(
        "--show-errors",
        type=int,
        default=0,
        metavar="N",
        help="print N false positives and N false negatives",
    )
    args = parser.parse_args()

    setup_django()
    if args.speed:
        measure_speed()
        return
    from moderation.checks.content import check_hate_speech, check_insults, check_threats

    checks = (check_insults, check_hate_speech, check_threats)
    with open(args.path, encoding="utf-8", newline="") as data:
        rows = list(csv.DictReader(data))

    tally = Tally()
    left_out = 0
    errors: dict[str, list[str]] = {"false positive": [], "false negative": []}
    started = time.perf_counter()
    for row in rows:
        expected = label_class(row["sentiment"])
        if expected is None:
            left_out += 1
            continue
        findings = [
            f for check in checks for f in check(title="", text=row["tweet"], language="fr")
        ]
        top = max((f.score for f in findings), default=0.0)
        predicted = top >= REJECT_AT
        if HUMAN_AT <= top < REJECT_AT:
            tally.sent_to_human[expected] += 1
        if predicted and expected == "positive":
            tally.true_positives += 1
            tally.by_rule.update({f.rule_code for f in findings if f.score >= REJECT_AT})
        elif predicted:
            tally.false_positives += 1
            terms = sorted({t for f in findings for t in f.data["terms"]})
            errors["false positive"].append(f"{terms} {row['tweet']}")
        elif expected == "positive":
            tally.false_negatives += 1
            errors["false negative"].append(f"[{row['sentiment']}] {row['tweet']}")
        else:
            tally.true_negatives += 1
    elapsed = time.perf_counter() - started

    positives = tally.true_positives + tally.false_negatives
    negatives = tally.false_positives + tally.true_negatives
    print(f"data: {args.path}")
    print(
        f"tweets: {len(rows)}; positive (hateful/offensive/abusive): {positives}; "
        f"negative (normal only): {negatives}; left out (disrespectful/fearful only): {left_out}"
    )
    print(f"predicted positive: any insult/hate_speech/threat finding with score >= {REJECT_AT}")
    print(
        f"TP {tally.true_positives}  FP {tally.false_positives}  "
        f"FN {tally.false_negatives}  TN {tally.true_negatives}"
    )
    precision = tally.ratio(tally.true_positives, tally.true_positives + tally.false_positives)
    print(f"precision {precision:.3f}")
    print(f"recall {tally.ratio(tally.true_positives, positives):.3f}")
    print(f"false-positive rate {tally.ratio(tally.false_positives, negatives):.3f}")
    print(
        f"sent to a moderator (0.5 <= score < 0.8): {tally.sent_to_human['positive']} positive, "
        f"{tally.sent_to_human['negative']} negative"
    )
    flagged_true = tally.true_positives + tally.sent_to_human["positive"]
    flagged_false = tally.false_positives + tally.sent_to_human["negative"]
    print(
        f"rejected or sent to a moderator (score >= {HUMAN_AT}): "
        f"precision {tally.ratio(flagged_true, flagged_true + flagged_false):.3f}, "
        f"recall {tally.ratio(flagged_true, positives):.3f}, "
        f"false-positive rate {tally.ratio(flagged_false, negatives):.3f}"
    )
    print(f"true positives by rule: {dict(tally.by_rule)}")
    checked = positives + negatives
    print(f"speed: {checked / elapsed:.0f} tweets/s for the three checks ({elapsed:.2f} s)")
    for kind, examples in errors.items():
        for example in examples[: args.show_errors]:
            print(f"{kind}: {example}")


if __name__ == "__main__":
    main()
