"""The authenticity model itself: hashed word and character n-grams plus standardised numeric
features, a logistic regression calibrated with CalibratedClassifierCV (sigmoid).

A linear model on purpose: each feature's share of a score is its weight times its value, so
every score comes with the few features that raised it most, as plain sentences. Hashing keeps
the n-grams without a vocabulary to store, so the estimator's size is fixed (a few MB).
"""

import math
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction._hashing_fast import (  # type: ignore[import-not-found]
    transform as _hash_tokens,  # what FeatureHasher calls; sklearn is pinned
)
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from moderation.authenticity.features import TEXT_GROUP, Features, explain

HASH_FEATURES = 2**18
# A feature must move the score's log-odds by at least this to be cited.
MIN_CONTRIBUTION = 0.05


class AuthenticityEstimator:
    def __init__(self, *, numeric: Sequence[str], seed: int = 0) -> None:
        self.numeric = list(numeric)
        self.words = HashingVectorizer(
            analyzer="word", ngram_range=(1, 2), n_features=HASH_FEATURES, alternate_sign=False
        )
        self.chars = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 4), n_features=HASH_FEATURES, alternate_sign=False
        )
        self.scaler = StandardScaler()
        self.classifier = CalibratedClassifierCV(
            # Newton-CG, not the default L-BFGS: the same loss and penalty, so the same model,
            # but L-BFGS pays for every one of the 2 * HASH_FEATURES columns at each of its
            # many steps (measured on 2,650 public reviews: 74 steps, 30 s for the four fits,
            # against 6 Newton steps, 6 s, and the same hold-out ROC AUC).
            LogisticRegression(
                C=1.0,
                solver="newton-cg",
                max_iter=2000,
                class_weight="balanced",
                random_state=seed,
            ),
            method="sigmoid",
            cv=3,
            # One regression fitted on all the training data (its sigmoid fitted on
            # cross-validated scores): its weights are what the explanations read.
            ensemble=False,
        )
        self.text_baseline = 0.0  # mean share of the n-grams in the training scores

    def _text(self, features: Sequence[Features]) -> sparse.csr_matrix:
        texts = [f.text for f in features]
        return sparse.hstack([self.words.transform(texts), self.chars.transform(texts)]).tocsr()

    def _numeric(self, features: Sequence[Features]) -> np.ndarray:
        return np.array([[f.values[name] for name in self.numeric] for f in features], dtype=float)

    def _matrix(self, features: Sequence[Features], *, fit: bool = False) -> sparse.csr_matrix:
        numeric = self._numeric(features)
        scaled = self.scaler.fit_transform(numeric) if fit else self.scaler.transform(numeric)
        return sparse.hstack([self._text(features), sparse.csr_matrix(scaled)]).tocsr()

    @property
    def iterations(self) -> int:
        """The solver's iterations on all the training data (the last of the fits)."""
        return int(self._regression.n_iter_[0])

    @property
    def _regression(self) -> LogisticRegression:
        regression: LogisticRegression = self.classifier.calibrated_classifiers_[0].estimator
        return regression

    def fit(self, features: Sequence[Features], labels: Sequence[int]) -> "AuthenticityEstimator":
        matrix = self._matrix(features, fit=True)
        self.classifier.fit(matrix, np.asarray(labels))
        weights = self._regression.coef_[0]
        text_weights = weights[: 2 * HASH_FEATURES]
        self.text_baseline = float(np.mean(matrix[:, : 2 * HASH_FEATURES] @ text_weights))
        self._prepare_fast_path()
        return self

    def predict_proba(self, features: Sequence[Features]) -> np.ndarray:
        """The calibrated probability that each submission is fake."""
        probabilities: np.ndarray = self.classifier.predict_proba(self._matrix(features))[:, 1]
        return probabilities

    def _prepare_fast_path(self) -> None:
        """Plain arrays for scoring one review at a time: sklearn's validation of each call
        costs tens of milliseconds, the arithmetic itself well under one."""
        regression = self._regression
        calibrator = self.classifier.calibrated_classifiers_[0].calibrators[0]
        self.weights = np.asarray(regression.coef_[0], dtype=float)
        self.intercept = float(regression.intercept_[0])
        self.sigmoid = (float(calibrator.a_), float(calibrator.b_))
        self.analyzers = (self.words.build_analyzer(), self.chars.build_analyzer())

    def _text_share(self, text: str) -> float:
        """The n-grams' part of the log-odds: as HashingVectorizer (unsigned counts, l2-norm per
        analyzer) followed by the weights, without building a sparse matrix."""
        total = 0.0
        for offset, analyzer in ((0, self.analyzers[0]), (HASH_FEATURES, self.analyzers[1])):
            tokens = analyzer(text)
            if not tokens:
                continue
            indices, _indptr, _values = _hash_tokens(
                [((token, 1) for token in tokens)],
                HASH_FEATURES,
                np.float64,
                alternate_sign=False,
                seed=0,
            )
            columns, counts = np.unique(indices, return_counts=True)
            weights = self.weights[offset + columns]
            total += float(counts @ weights) / math.sqrt(float(counts @ counts))
        return total

    def score(self, features: Features) -> tuple[float, dict[str, float]]:
        """The calibrated probability that one submission is fake, and each feature's share
        of its log-odds against an average review (the n-grams as one share, "wording")."""
        numeric = np.array([features.values[name] for name in self.numeric], dtype=float)
        scaled = (numeric - self.scaler.mean_) / self.scaler.scale_
        numeric_weights = self.weights[2 * HASH_FEATURES :]
        text = self._text_share(features.text)
        decision = float(scaled @ numeric_weights) + text + self.intercept
        a, b = self.sigmoid
        probability = 1.0 / (1.0 + math.exp(a * decision + b))
        shares = dict(zip(self.numeric, (scaled * numeric_weights).tolist(), strict=True))
        shares[TEXT_GROUP] = text - self.text_baseline
        return probability, shares

    def explain(self, features: Features, shares: dict[str, float], *, top: int = 3) -> list[str]:
        """The features that raised this score most, as plain sentences."""
        raised = sorted(
            (item for item in shares.items() if item[1] >= MIN_CONTRIBUTION),
            key=lambda item: -item[1],
        )
        sentences: list[str] = []
        for name, _share in raised:
            sentence = explain(name, features)
            if sentence not in sentences:
                sentences.append(sentence)
            if len(sentences) == top:
                break
        return sentences
