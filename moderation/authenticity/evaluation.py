"""Evaluate moderation on a labelled file: import it with `import_reviews` (which replays it
through the pipeline in submission order), then compare each review's pipeline decision with
its label.

Two columns for the same replay: "pipeline" is what the pipeline decided (with the current
model, when there is one); "heuristics" is what `moderation.pipeline.decide` makes of the
checks' findings alone, recorded as signals on the same reviews — exactly the pipeline's
decision when no model exists. Figures: ROC AUC of the risk score, precision and recall of
"sent to a moderator or rejected", false-positive rate on genuine reviews; overall and per
rating.
"""

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management import call_command
from sklearn.metrics import roc_auc_score

from moderation.authenticity.features import MODEL_CHECK
from moderation.authenticity.training import (
    FAKE,
    labels_from_file,
    read_labels_file,
    recorded_findings,
)
from moderation.models import Decision, Submission
from moderation.pipeline import decide

FLAGGED = (Decision.Outcome.SEND_TO_HUMAN, Decision.Outcome.REJECT)


def figures(labels: Sequence[int], risks: Sequence[float], flagged: Sequence[bool]) -> dict:
    y = np.asarray(labels)
    risk = np.asarray(risks, dtype=float)
    flag = np.asarray(flagged, dtype=bool)
    fake = y == FAKE
    true_pos = int(np.sum(flag & fake))
    return {
        "size": len(y),
        "fakes": int(np.sum(fake)),
        "roc_auc": round(float(roc_auc_score(y, risk)), 4) if len(set(y.tolist())) == 2 else None,
        "flagged": int(np.sum(flag)),
        "precision": round(true_pos / int(np.sum(flag)), 4) if np.any(flag) else None,
        "recall": round(true_pos / int(np.sum(fake)), 4) if np.any(fake) else None,
        "false_positive_rate": (
            round(int(np.sum(flag & ~fake)) / int(np.sum(~fake)), 4) if np.any(~fake) else None
        ),
    }


def evaluate_file(path: Path, *, stdout: Any, stderr: Any) -> dict[str, Any]:
    """`stdout` and `stderr`: where import_reviews writes (file-like objects)."""
    read_labels_file(path)  # a bad file fails before anything is imported
    call_command("import_reviews", str(path), sync=True, stdout=stdout, stderr=stderr)
    labels, unknown = labels_from_file(path)
    ids = sorted(labels)
    decisions = {
        submission_id: (outcome, risk, version)
        for submission_id, outcome, risk, version in Decision.objects.filter(
            submission_id__in=ids, decided_by__isnull=True
        ).values_list("submission_id", "outcome", "risk_score", "model_version")
    }
    ratings = dict(Submission.objects.filter(pk__in=ids).values_list("pk", "rating"))
    findings = recorded_findings(ids)
    rows: list[tuple[int, int | None, float, bool, float, bool]] = []
    versions: set[str] = set()
    for pk in ids:
        if pk not in decisions:
            continue  # undecided: counted apart
        outcome, risk, version = decisions[pk]
        if version:
            versions.add(version)
        alone = decide([f for f in findings[pk] if f.check != MODEL_CHECK])
        rows.append(
            (
                labels[pk],
                ratings.get(pk),
                risk,
                outcome in FLAGGED,
                alone.risk_score,
                alone.outcome in FLAGGED,
            )
        )
    by_rating: dict[str, list[tuple[int, int | None, float, bool, float, bool]]] = defaultdict(list)
    for row in rows:
        by_rating[str(row[1])].append(row)

    def both(group: list[tuple[int, int | None, float, bool, float, bool]]) -> dict[str, Any]:
        y = [row[0] for row in group]
        return {
            "pipeline": figures(y, [row[2] for row in group], [row[3] for row in group]),
            "heuristics": figures(y, [row[4] for row in group], [row[5] for row in group]),
        }

    return {
        "file": str(path),
        "labelled": len(ids) + unknown,
        "not_imported": unknown,
        "undecided": len(ids) - len(rows),
        "model_versions": sorted(versions),
        "overall": both(rows),
        "per_rating": {rating: both(group) for rating, group in sorted(by_rating.items())},
    }


def as_table(result: dict[str, Any]) -> str:
    """A Markdown table of one file's figures."""
    lines = [
        "| reviews | n | fakes | decided by | ROC AUC of the risk | flagged | precision | "
        "recall | false-positive rate |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    groups = [("all", result["overall"])] + [
        (f"{rating}★", figures) for rating, figures in result["per_rating"].items()
    ]
    for name, group in groups:
        for column, label in (("heuristics", "heuristics alone"), ("pipeline", "pipeline")):
            f = group[column]
            lines.append(
                f"| {name} | {f['size']} | {f['fakes']} | {label} | {_fmt(f['roc_auc'])} | "
                f"{f['flagged']} | {_fmt(f['precision'])} | {_fmt(f['recall'])} | "
                f"{_fmt(f['false_positive_rate'])} |"
            )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
