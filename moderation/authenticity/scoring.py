"""Score one submission with the current authenticity model, in the pipeline.

The model is loaded once per process and kept; each process looks for a newer current version
at most every AUTHENTICITY_MODEL_REFRESH_SECONDS, so a worker pays no query for it on almost
every review. Scoring reuses what the checks read (`shared_history`) and adds one query
(`read_context`).
"""

import io
import math
import threading
import time
from dataclasses import dataclass

import joblib
from django.conf import settings

from moderation.authenticity.estimator import AuthenticityEstimator
from moderation.authenticity.features import compute_features, history_for, read_context
from moderation.checks.base import Finding
from moderation.models import AuthenticityModel, Submission


@dataclass(frozen=True)
class LoadedModel:
    version: int
    label: str
    estimator: AuthenticityEstimator


@dataclass(frozen=True)
class ModelScore:
    """The model's signal on one submission: calibrated probability of a fake, the version
    that gave it, and the features that raised it most, as plain sentences."""

    version: str
    score: float
    reasons: list[str]


_lock = threading.Lock()
_checked_at = -math.inf
_loaded: LoadedModel | None = None


def current_model() -> LoadedModel | None:
    global _checked_at, _loaded
    with _lock:
        now = time.monotonic()
        if now - _checked_at < settings.AUTHENTICITY_MODEL_REFRESH_SECONDS:
            return _loaded
        current = AuthenticityModel.objects.filter(is_current=True).values_list("pk", "version")
        row = current.first()
        if row is None:
            _loaded = None
        elif _loaded is None or _loaded.version != row[1]:
            data = AuthenticityModel.objects.values_list("estimator", flat=True).get(pk=row[0])
            _loaded = LoadedModel(
                version=row[1],
                label=f"authenticity-v{row[1]}",
                estimator=joblib.load(io.BytesIO(bytes(data))),
            )
        _checked_at = now
        return _loaded


def forget_model() -> None:
    """The next `current_model()` reads the store again (after training; between tests)."""
    global _checked_at, _loaded
    with _lock:
        _checked_at = -math.inf
        _loaded = None


def model_for(submission: Submission) -> LoadedModel | None:
    return current_model() if submission.kind in settings.AUTHENTICITY_MODEL_KINDS else None


def score_submission(
    submission: Submission, findings: list[Finding], *, model: LoadedModel
) -> ModelScore:
    """Call inside the checks' `shared_history()` block, after the checks."""
    features = compute_features(
        submission, findings, history_for(submission, shared=True), read_context(submission)
    )
    score, shares = model.estimator.score(features)
    return ModelScore(
        version=model.label,
        score=round(score, 3),
        reasons=model.estimator.explain(features, shares),
    )
