"""Train the authenticity model from the platform's labelled history, measure it on a hold-out
split grouped by brand, and store it as the current version.

Labels:
- moderators' decisions: a submission rejected or removed by a moderator under an
  authenticity rule (the rules the authenticity checks cite) is fake; one a moderator
  published, or whose proof of experience a moderator accepted, is genuine. The latest such
  decision counts (an appeal can reverse the first one).
- a labelled file (`external_id,label`, label `fake` or `genuine`) for reviews imported with
  `import_reviews`; the app that owns the reviews maps its external ids (moderation/registry).
  A file's label wins over a decision on the same submission.
"""

import csv
import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

from audit.models import AuditEvent
from audit.services import record_event
from moderation.authenticity.estimator import AuthenticityEstimator
from moderation.authenticity.features import (
    MODEL_CHECK,
    TEXT_GROUP,
    Features,
    compute_features,
    numeric_features,
    read_histories_and_contexts,
    refresh_statistics,
)
from moderation.authenticity.scoring import forget_model
from moderation.checks.base import Finding
from moderation.models import AuthenticityModel, Decision, Signal, Submission
from moderation.registry import object_ids_for_external
from moderation.rules import RULES, Category

MIN_LABELS_PER_CLASS = 10
FAKE, GENUINE = 1, 0
_LABEL_VALUES = {"fake": FAKE, "genuine": GENUINE}
# Rules whose restriction by a moderator marks a fake: the authenticity rules, and the rule the
# authenticity checks cite for a review without a real experience.
LABEL_RULES = frozenset(
    {code for code, rule in RULES.items() if rule.category == Category.AUTHENTICITY}
    | {"no_consumer_experience"}
)
RELIABILITY_BINS = 10


class TrainingError(Exception):
    """Why no model could be trained (bad labels file, too few labels): nothing is stored."""


def labels_from_decisions() -> dict[int, int]:
    """{submission id: FAKE or GENUINE} from moderators' latest decisions."""
    labels: dict[int, int] = {}
    decisions = (
        Decision.objects.filter(
            decided_by__isnull=False, submission__kind__in=settings.AUTHENTICITY_MODEL_KINDS
        )
        .order_by("id")
        .values_list("submission_id", "outcome", "rule_code")
    )
    for submission_id, outcome, rule_code in decisions.iterator(chunk_size=5000):
        if outcome in (Decision.Outcome.REJECT, Decision.Outcome.REMOVE):
            if rule_code in LABEL_RULES:
                labels[submission_id] = FAKE
            else:
                labels.pop(submission_id, None)  # restricted for another reason: no label
        elif outcome in (Decision.Outcome.PUBLISH, Decision.Outcome.VERIFY):
            labels[submission_id] = GENUINE
    return labels


def read_labels_file(path: Path) -> dict[str, int]:
    """{external id: label} from a CSV with the columns external_id and label."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TrainingError(f"Cannot read the labels file {path}: {error}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"external_id", "label"} - set(reader.fieldnames or [])
    if missing:
        raise TrainingError(
            f"The labels file {path} needs the columns external_id and label "
            f"(missing: {', '.join(sorted(missing))})"
        )
    labels: dict[str, int] = {}
    for row in reader:
        external_id = (row.get("external_id") or "").strip()
        value = (row.get("label") or "").strip().lower()
        if not external_id or value not in _LABEL_VALUES:
            raise TrainingError(
                f"Line {reader.line_num} of {path}: expected an external_id and a label "
                f"'fake' or 'genuine', got {external_id!r}, {value!r}"
            )
        labels[external_id] = _LABEL_VALUES[value]
    return labels


def labels_from_file(path: Path) -> tuple[dict[int, int], int]:
    """{submission id: label} for the imported reviews named in the file, and how many of its
    external ids are unknown here."""
    by_external = read_labels_file(path)
    labels: dict[int, int] = {}
    external_ids = list(by_external)
    found: set[str] = set()
    for kind in settings.AUTHENTICITY_MODEL_KINDS:
        object_ids = object_ids_for_external(kind=kind, external_ids=external_ids)
        found |= set(object_ids)
        by_object = {object_id: by_external[ext] for ext, object_id in object_ids.items()}
        for chunk in _chunks(list(by_object), 2000):
            for pk, object_id in Submission.objects.filter(
                kind=kind, object_id__in=chunk
            ).values_list("pk", "object_id"):
                labels[pk] = by_object[object_id]
    return labels, len(external_ids) - len(found)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def recorded_findings(submission_ids: list[int]) -> dict[int, list[Finding]]:
    """The findings the checks recorded as signals when each submission was decided: what the
    pipeline saw at its submission time (the model's own signal left out)."""
    findings: dict[int, list[Finding]] = {pk: [] for pk in submission_ids}
    for chunk in _chunks(submission_ids, 2000):
        signals = Signal.objects.filter(submission_id__in=chunk).exclude(check_name=MODEL_CHECK)
        for signal in signals.order_by("id"):
            findings[signal.submission_id].append(
                Finding(
                    check=signal.check_name,
                    rule_code=signal.rule_code,
                    score=signal.score,
                    evidence=signal.evidence,
                    data=signal.data,
                )
            )
    return findings


def features_for(
    submission_ids: list[int],
    *,
    findings: dict[int, list[Finding]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Submission], list[Features]]:
    """Each submission's features as of its own submission time, in submission order
    (`findings`: their recorded findings, when already read)."""
    if findings is None:
        findings = recorded_findings(submission_ids)
    refresh_statistics()
    submissions: list[Submission] = []
    rows: list[Features] = []
    for chunk in _chunks(submission_ids, 2000):
        subs = list(
            Submission.objects.filter(pk__in=chunk).defer("minhash").order_by("submitted_at", "pk")
        )
        for sub, (history, context) in zip(subs, read_histories_and_contexts(subs), strict=True):
            rows.append(compute_features(sub, findings[sub.pk], history, context))
        submissions += subs
        if progress is not None:
            progress(len(subs))
    return submissions, rows


@dataclass(frozen=True)
class Split:
    train: np.ndarray
    test: np.ndarray


def grouped_split(groups: list[int], labels: list[int], *, test_size: float, seed: int) -> Split:
    """Brands are on one side only: the hold-out measures the model on brands it never saw.
    Tries a few seeds until both sides hold both classes."""
    y = np.asarray(labels)
    for attempt in range(20):
        splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed + attempt)
        train, test = next(splitter.split(np.zeros(len(y)), y, groups))
        if len(set(y[train])) == 2 and len(set(y[test])) == 2:
            return Split(train, test)
    raise TrainingError(
        "Cannot split the labels by brand with fake and genuine reviews on both sides: "
        "label reviews of more brands."
    )


def measure(scores: np.ndarray, labels: np.ndarray, *, threshold: float) -> dict[str, Any]:
    """ROC AUC, precision and recall at the threshold, false-positive rate on genuine reviews,
    Brier score and reliability bins (mean score vs share of fakes, 10 equal-width bins)."""
    flagged = scores >= threshold
    fake = labels == FAKE
    true_pos = int(np.sum(flagged & fake))
    false_pos = int(np.sum(flagged & ~fake))
    bins = np.minimum((scores * RELIABILITY_BINS).astype(int), RELIABILITY_BINS - 1)
    reliability = [
        {
            "bin": f"{b / RELIABILITY_BINS:.1f}–{(b + 1) / RELIABILITY_BINS:.1f}",
            "count": int(np.sum(bins == b)),
            "mean_score": round(float(np.mean(scores[bins == b])), 3),
            "fake_share": round(float(np.mean(fake[bins == b])), 3),
        }
        for b in range(RELIABILITY_BINS)
        if np.any(bins == b)
    ]
    both = len(set(labels.tolist())) == 2
    return {
        "size": len(labels),
        "fakes": int(np.sum(fake)),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4) if both else None,
        "threshold": threshold,
        "precision": round(true_pos / int(np.sum(flagged)), 4) if np.any(flagged) else None,
        "recall": round(true_pos / int(np.sum(fake)), 4) if np.any(fake) else None,
        "false_positive_rate": round(false_pos / int(np.sum(~fake)), 4) if np.any(~fake) else None,
        "brier": round(float(brier_score_loss(labels, scores)), 4),
        "reliability": reliability,
    }


def train_model(
    *,
    file_labels: dict[int, int] | None = None,
    with_length: bool = True,
    test_size: float = 0.25,
    seed: int = 20260101,
    progress: Callable[[int], None] | None = None,
) -> AuthenticityModel:
    """Train on the labelled history (moderators' decisions, then the file's labels), measure on
    a brand-grouped hold-out, store and activate the model trained on the training side (so its
    stored metrics are exactly its own)."""
    clock = _Clock()
    from_decisions = labels_from_decisions()
    labels = from_decisions | (file_labels or {})
    counts = {value: sum(1 for v in labels.values() if v == value) for value in (FAKE, GENUINE)}
    if min(counts.values()) < MIN_LABELS_PER_CLASS:
        raise TrainingError(
            f"Too few labels to train: {counts[FAKE]} fake and {counts[GENUINE]} genuine "
            f"reviews; at least {MIN_LABELS_PER_CLASS} of each are needed."
        )
    clock.lap("labels")
    ids = sorted(labels)
    findings = recorded_findings(ids)
    clock.lap("findings")
    submissions, rows = features_for(ids, findings=findings, progress=progress)
    clock.lap("features")
    y = [labels[sub.pk] for sub in submissions]
    groups = [sub.brand_id for sub in submissions]
    split = grouped_split(groups, y, test_size=test_size, seed=seed)
    names = numeric_features(with_length=with_length)
    clock.lap("split")
    estimator = AuthenticityEstimator(numeric=names, seed=seed)
    estimator.fit([rows[i] for i in split.train], [y[i] for i in split.train])
    clock.lap("fit")
    threshold = settings.AUTHENTICITY_MODEL_HUMAN_THRESHOLD
    y_array = np.asarray(y)
    test_metrics = measure(
        estimator.predict_proba([rows[i] for i in split.test]),
        y_array[split.test],
        threshold=threshold,
    )
    clock.lap("measure")
    metrics = {
        "test": test_metrics,
        "train": {
            "size": len(split.train),
            "fakes": int(np.sum(y_array[split.train])),
            "brands": len({groups[i] for i in split.train}),
        },
        "test_brands": len({groups[i] for i in split.test}),
        "brands_on_both_sides": len(
            {groups[i] for i in split.train} & {groups[i] for i in split.test}
        ),
        "split": f"GroupShuffleSplit by brand, test_size={test_size}, seed={seed}",
        "labels": {
            "from_decisions": len(from_decisions),
            "from_file": len(file_labels or {}),
            "fake": counts[FAKE],
            "genuine": counts[GENUINE],
        },
        "with_length": with_length,
        "fit_iterations": estimator.iterations,
    }
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer, compress=3)
    clock.lap("dump")
    # The stored metrics hold the time of every phase before the store itself.
    metrics["seconds"] = round(clock.total(), 1)
    metrics["phases"] = dict(clock.phases)
    return store_model(
        estimator=buffer.getvalue(),
        training_size=len(y),
        metrics=metrics,
        features=[*names, TEXT_GROUP],
    )


class _Clock:
    """Seconds spent in each phase of a training, for its metrics."""

    def __init__(self) -> None:
        self.started = self._last = time.monotonic()
        self.phases: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.phases[phase] = round(now - self._last, 2)
        self._last = now

    def total(self) -> float:
        return time.monotonic() - self.started


@transaction.atomic
def store_model(
    *, estimator: bytes, training_size: int, metrics: dict[str, Any], features: list[str]
) -> AuthenticityModel:
    """Store a new version and make it the current one, with its audit event. Two trainings at
    once: the unique version and the one-current constraint let only one of them in."""
    latest = AuthenticityModel.objects.aggregate(Max("version"))
    previous = AuthenticityModel.objects.filter(is_current=True).first()
    AuthenticityModel.objects.filter(is_current=True).update(is_current=False)
    model = AuthenticityModel.objects.create(
        version=(latest["version__max"] or 0) + 1,
        created_at=timezone.now(),
        training_size=training_size,
        metrics=metrics,
        features=features,
        is_current=True,
        estimator=estimator,
    )
    record_event(
        actor=None,
        action=AuditEvent.Action.AUTHENTICITY_MODEL_TRAINED,
        target=model,
        from_status=previous.label if previous else "",
        to_status=model.label,
        details={
            "version": model.version,
            "training_size": training_size,
            "features": features,
            "roc_auc": metrics["test"]["roc_auc"],
            "precision": metrics["test"]["precision"],
            "recall": metrics["test"]["recall"],
            "false_positive_rate": metrics["test"]["false_positive_rate"],
        },
    )
    forget_model()  # this process scores with the new version from now on
    return model
