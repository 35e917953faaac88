"""What the authenticity model reads about one submission, as of its own submission time.

Everything is measured from the submission's `submitted_at` and from earlier submissions only,
so a later review never changes an earlier one's features (training replays history). The
model never reads the author's identity (no account id, pseudonym or email), and reads the
rating only through its extremity (1 or 5 stars) and its distance from the brand's mean, which
treat both ends of the scale alike (NF-MOD-3). Text features alone never decide: the model only
sends to a moderator (see moderation/pipeline.py).

The pipeline computes these from what the checks already read (`shared_history`) plus one
query (`read_context`); training computes them with the same statements, run in batches
(`read_histories_and_contexts`), from the findings the pipeline recorded as signals at decision
time.
"""

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from moderation import similarity
from moderation.checks.authenticity import (
    _History,
    _history,
    _history_of,
    _history_query,
    _read_history,
    _side,
)
from moderation.checks.base import Finding
from moderation.models import Submission

# The model's name in explanations; a finding of that name is never one of its features.
MODEL_CHECK = "authenticity_model"
# The brand's context is read from its most recent earlier submissions, a bounded sample
# whatever the brand's size.
BRAND_SAMPLE = 500
ONE_REVIEW_SAMPLE = 50

# Findings of these checks are features (the score, 0 when the check found nothing).
HEURISTIC_CHECKS = (
    "near_duplicate",
    "shared_network",
    "shared_device",
    "rating_burst",
    "new_account_extreme_rating",
    "rating_text_mismatch",
    "undisclosed_incentive",
    "tied_to_brand",
)
# Length of the text: left out with `with_length=False` (a detector that only learns length
# looks good on some data sets and fails elsewhere).
LENGTH_FEATURES = ("text_log_chars", "text_log_words")
NUMERIC_FEATURES = (
    "account_age_log_days",
    "author_first_review",
    "author_prior_log",
    "author_reviews_today",
    "author_extreme_share",
    "rating_extreme",
    "rating_deviation",
    "brand_log_week",
    "brand_log_day",
    "brand_one_review_share",
    "brand_burst_ratio",
    "network_accounts",
    "device_accounts",
    "duplicate_similarity",
    "content_findings",
    *(f"check_{name}" for name in HEURISTIC_CHECKS),
    *LENGTH_FEATURES,
    "punctuation_rate",
    "exclamation_rate",
    "uppercase_rate",
    "first_person_rate",
    "superlative_rate",
    "language_fr",
    "language_en",
)
# The word and character n-grams of the text are one more group of features.
TEXT_GROUP = "wording"


def numeric_features(*, with_length: bool = True) -> list[str]:
    return [name for name in NUMERIC_FEATURES if with_length or name not in LENGTH_FEATURES]


# One query: the author's earlier submissions, a sample of the brand's earlier ones, and the
# share of the brand's recent authors with no other submission. "Earlier" as in the checks:
# same kind, (submitted_at, id) before this one's.
_CONTEXT = (
    "SELECT author.n, author.day, author.extreme, brand.n, brand.mean, brand.week, brand.day, "
    "single.share FROM "
    '(SELECT COUNT(*) AS n, COUNT(CASE WHEN "submitted_at" >= %s THEN 1 END) AS day, '
    'COUNT(CASE WHEN "rating" IN (1, 5) THEN 1 END) AS extreme FROM "moderation_submission" '
    'WHERE "author_id" = %s AND "kind" = %s AND ("submitted_at", "id") < (%s, %s)) AS author '
    "CROSS JOIN "
    '(SELECT COUNT(*) AS n, AVG("rating") AS mean, '
    'COUNT(CASE WHEN "submitted_at" >= %s THEN 1 END) AS week, '
    'COUNT(CASE WHEN "submitted_at" >= %s THEN 1 END) AS day FROM '
    '(SELECT "rating", "submitted_at" FROM "moderation_submission" WHERE "brand_id" = %s '
    'AND "kind" = %s AND ("submitted_at", "id") < (%s, %s) '
    'ORDER BY "submitted_at" DESC LIMIT %s) AS recent) AS brand '
    "CROSS JOIN "
    '(SELECT AVG(CASE WHEN EXISTS (SELECT 1 FROM "moderation_submission" AS other '
    'WHERE other."author_id" = recent."author_id" AND other."kind" = %s '
    'AND other."id" <> recent."id" AND (other."submitted_at", other."id") < (%s, %s)) '
    "THEN 0.0 ELSE 1.0 END) AS share FROM "
    '(SELECT "id", "author_id" FROM "moderation_submission" WHERE "brand_id" = %s '
    'AND "kind" = %s AND ("submitted_at", "id") < (%s, %s) '
    'ORDER BY "submitted_at" DESC LIMIT %s) AS recent) AS single'
)


@dataclass(frozen=True)
class Context:
    """The author's and the brand's history before a submission."""

    author_prior: int  # earlier submissions by the author
    author_day: int  # ... in the 24 h before this one
    author_extreme: int  # ... rated 1 or 5
    brand_prior: int  # the brand's earlier submissions read (at most BRAND_SAMPLE)
    brand_mean: float | None  # their mean rating
    brand_week: int  # ... in the 7 days before this one
    brand_day: int  # ... in the 24 h before
    brand_one_review_share: float | None  # share of its recent authors with no other review


def read_context(sub: Submission) -> Context:
    with connection.cursor() as cursor:
        cursor.execute(_CONTEXT, _context_params(sub))
        return _context_of(cursor.fetchone())


def _context_params(sub: Submission) -> list[Any]:
    time = connection.ops.adapt_datetimefield_value
    at = time(sub.submitted_at)
    day = time(sub.submitted_at - timedelta(days=1))
    week = time(sub.submitted_at - timedelta(days=7))
    params: list[Any] = [day, sub.author_id, sub.kind, at, sub.pk]
    params += [week, day, sub.brand_id, sub.kind, at, sub.pk, BRAND_SAMPLE]
    params += [sub.kind, at, sub.pk, sub.brand_id, sub.kind, at, sub.pk, ONE_REVIEW_SAMPLE]
    return params


def _context_of(row: tuple[Any, ...]) -> Context:
    return Context(
        author_prior=row[0],
        author_day=row[1],
        author_extreme=row[2],
        brand_prior=row[3],
        brand_mean=float(row[4]) if row[4] is not None else None,
        brand_week=row[5],
        brand_day=row[6],
        brand_one_review_share=float(row[7]) if row[7] is not None else None,
    )


_NO_HISTORY = _History(0, 0, 0, 0, author_has_earlier=False)


def _needs_history(sub: Submission) -> bool:
    return bool(sub.network_hash or _side(sub.rating))


def history_for(sub: Submission, *, shared: bool) -> _History:
    """The network and burst counts of the checks. In the pipeline (`shared`), only when the
    checks read them already (then from their shared read, no query); the counts are zero by
    definition otherwise, which training reproduces with its own read."""
    if not _needs_history(sub):
        return _NO_HISTORY
    return _history(sub) if shared else _read_history(sub)


def read_histories_and_contexts(
    subs: Sequence[Submission],
) -> list[tuple[_History, Context]]:
    """`history_for(sub, shared=False)` and `read_context(sub)` of many submissions, with the
    same statements and parameters (so the same values), run together: training reads
    100,000 submissions, and one round trip each costs more than the index reads."""
    needing = [sub for sub in subs if _needs_history(sub)]
    histories = dict(
        zip(
            (sub.pk for sub in needing),
            (_history_of(row) for row in _run_many([_history_query(sub) for sub in needing])),
            strict=True,
        )
    )
    contexts = _run_many([(_CONTEXT, _context_params(sub)) for sub in subs])
    return [
        (histories.get(sub.pk, _NO_HISTORY), _context_of(row))
        for sub, row in zip(subs, contexts, strict=True)
    ]


def refresh_statistics() -> None:
    """Before batched reads: PostgreSQL plans their LATERAL joins from the table's statistics,
    and right after a bulk import (before autovacuum's next pass) it has none and scans the
    whole table for every row (measured on 3,345 freshly imported reviews: 2.9 ms a review,
    0.1 ms after ANALYZE, which takes well under a second)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute('ANALYZE "moderation_submission"')


_PLACEHOLDER = re.compile(r"%s")


def _run_many(statements: list[tuple[str, list[Any]]]) -> list[tuple[Any, ...]]:
    """The one row of each statement, in order. On PostgreSQL, statements of the same text
    run as one: a LATERAL join of that text over arrays of their parameters (its placeholders
    made references to the arrays' columns), so each still reads its own index ranges. The
    SQLite default holds small stores: one statement at a time there."""
    rows: list[tuple[Any, ...]] = []
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                rows.append(cursor.fetchone())
        return rows
    by_text: dict[str, list[int]] = defaultdict(list)
    for index, (sql, _params) in enumerate(statements):
        by_text[sql].append(index)
    ordered: list[tuple[Any, ...] | None] = [None] * len(statements)
    with connection.cursor() as cursor:
        for sql, indices in by_text.items():
            columns = list(zip(*(statements[i][1] for i in indices), strict=True))
            cursor.execute(
                _lateral(sql, [_array_type(column) for column in columns]),
                [list(range(len(indices))), *(list(column) for column in columns)],
            )
            for n, *values in cursor.fetchall():
                ordered[indices[n]] = tuple(values)
    rows = [row for row in ordered if row is not None]
    if len(rows) != len(statements):
        raise RuntimeError("A batched statement returned no row for one of its parameters")
    return rows


# The {fields} are filled with placeholders, casts and column names, never with values.
_LATERAL = (
    'SELECT "batch"."n", "one".* FROM unnest(%s::integer[]{arrays}) AS "batch"("n"{columns}) '
    'CROSS JOIN LATERAL ({statement}) AS "one"'
)


def _lateral(sql: str, types: list[str]) -> str:
    """`sql` run once for each row of arrays of its parameters (one array per placeholder, in
    order, of these types), numbered by the first column."""
    numbers = iter(range(len(types)))
    return _LATERAL.format(
        arrays="".join(f", %s::{array_type}" for array_type in types),
        columns="".join(f', "p{n}"' for n in range(len(types))),
        statement=_PLACEHOLDER.sub(lambda _match: f'"batch"."p{next(numbers)}"', sql),
    )


def _array_type(values: Sequence[Any]) -> str:
    """The PostgreSQL array type of one parameter's values (psycopg leaves strings untyped)."""
    kinds = {type(value) for value in values if value is not None}
    for python, sql in ((bool, "boolean"), (int, "bigint"), (float, "double precision")):
        if kinds == {python}:
            return f"{sql}[]"
    if kinds == {str}:
        return "text[]"
    if kinds == {datetime}:
        return "timestamptz[]"
    raise TypeError(f"No array type for the parameter values {sorted(map(str, kinds))}")


_FIRST_PERSON = frozenset(
    [
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "we",
        "us",
        "our",
        "ours",
        "je",
        "j",
        "me",
        "m",
        "moi",
        "mon",
        "ma",
        "mes",
        "nous",
        "notre",
        "nos",
    ]
)
_SUPERLATIVES = frozenset(
    [
        "best",
        "worst",
        "most",
        "least",
        "greatest",
        "perfect",
        "amazing",
        "awesome",
        "incredible",
        "excellent",
        "outstanding",
        "terrible",
        "horrible",
        "fantastic",
        "ever",
        "never",
        "absolutely",
        "totally",
        "meilleur",
        "meilleure",
        "meilleurs",
        "pire",
        "pires",
        "parfait",
        "parfaite",
        "excellent",
        "excellente",
        "incroyable",
        "exceptionnel",
        "exceptionnelle",
        "genial",
        "geniale",
        "horrible",
        "nul",
        "nulle",
        "jamais",
        "absolument",
        "totalement",
    ]
)
_PUNCTUATION = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Features:
    """One submission's features: numeric values by name, the text for the n-grams, and the
    facts behind each value, for the explanation."""

    values: dict[str, float]
    text: str
    facts: dict[str, Any] = field(default_factory=dict)


def compute_features(
    sub: Submission, findings: Iterable[Finding], history: _History, context: Context
) -> Features:
    """Pure: everything read from the store is passed in."""
    values: dict[str, float] = dict.fromkeys(NUMERIC_FEATURES, 0.0)
    facts: dict[str, Any] = {}
    age_days = max(0.0, (sub.submitted_at - sub.author_joined_at).total_seconds() / 86400)
    values["account_age_log_days"] = math.log1p(age_days)
    facts["account_age_days"] = age_days
    values["author_first_review"] = float(context.author_prior == 0)
    values["author_prior_log"] = math.log1p(context.author_prior)
    values["author_reviews_today"] = float(min(context.author_day + 1, 20))
    facts["author_prior"] = context.author_prior
    facts["author_reviews_today"] = context.author_day + 1
    if context.author_prior:
        values["author_extreme_share"] = context.author_extreme / context.author_prior
    if sub.rating is not None:
        values["rating_extreme"] = float(sub.rating in (1, 5))
        if context.brand_mean is not None:
            values["rating_deviation"] = abs(sub.rating - context.brand_mean)
            facts["brand_mean"] = context.brand_mean
    values["brand_log_week"] = math.log1p(context.brand_week)
    values["brand_log_day"] = math.log1p(context.brand_day)
    facts["brand_week"] = context.brand_week
    facts["brand_day"] = context.brand_day
    values["brand_one_review_share"] = context.brand_one_review_share or 0.0
    if history.burst_recent:
        usual = history.burst_before / (settings.BURST_BASELINE_WINDOW / settings.BURST_WINDOW)
        values["brand_burst_ratio"] = min(history.burst_recent / max(usual, 1.0), 50.0)
    values["network_accounts"] = float(min(history.network_accounts, 50))
    values["device_accounts"] = float(min(history.network_same_device, 50))
    evidence: dict[str, str] = {}
    for finding in findings:
        if finding.check == MODEL_CHECK:
            continue
        name = f"check_{finding.check}"
        if name in values:
            if finding.score >= values[name]:
                values[name] = finding.score
                evidence[name] = finding.evidence
        else:
            values["content_findings"] = max(values["content_findings"], finding.score)
            evidence["content_findings"] = finding.evidence
        if finding.check == "near_duplicate":
            values["duplicate_similarity"] = float(finding.data.get("best_similarity", 0.0))
    facts["evidence"] = evidence
    _text_features(f"{sub.title} {sub.text}", sub.language, values, facts)
    return Features(values=values, text=f"{sub.title}\n{sub.text}".lower(), facts=facts)


def _text_features(
    text: str, language: str, values: dict[str, float], facts: dict[str, Any]
) -> None:
    words = similarity.words(text)
    n_words = max(len(words), 1)
    n_chars = max(len(text), 1)
    values["text_log_chars"] = math.log1p(len(text))
    values["text_log_words"] = math.log1p(len(words))
    values["punctuation_rate"] = len(_PUNCTUATION.findall(text)) / n_chars
    values["exclamation_rate"] = text.count("!") / n_chars
    letters = [c for c in text if c.isalpha()]
    values["uppercase_rate"] = sum(c.isupper() for c in letters) / max(len(letters), 1)
    first_person = sum(word in _FIRST_PERSON for word in words)
    superlatives = sum(word in _SUPERLATIVES for word in words)
    values["first_person_rate"] = first_person / n_words
    values["superlative_rate"] = superlatives / n_words
    values["language_fr"] = float(language == "fr")
    values["language_en"] = float(language == "en")
    facts |= {"words": len(words), "superlatives": superlatives, "first_person": first_person}
    facts["exclamations"] = text.count("!")
    facts["language"] = language


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _days(days: float) -> str:
    if days < 1:
        return f"{max(1, round(days * 24))} h"
    return f"{round(days)} days"


def _sentence_for_check(name: str) -> Callable[[Features], str]:
    return lambda f: f.facts["evidence"].get(name, name.removeprefix("check_").replace("_", " "))


# One plain sentence per feature, for moderators: why this feature raised the score.
SENTENCES: dict[str, Callable[[Features], str]] = {
    "account_age_log_days": lambda f: (
        f"account created {_days(f.facts['account_age_days'])} before the review"
    ),
    "author_first_review": lambda f: "the author's first review",
    "author_prior_log": lambda f: f"the author wrote {f.facts['author_prior']} earlier reviews",
    "author_reviews_today": lambda f: (
        f"author's {_ordinal(f.facts['author_reviews_today'])} review in 24 h"
    ),
    "author_extreme_share": lambda f: (
        f"{f.values['author_extreme_share']:.0%} of the author's earlier ratings are 1 or 5 stars"
    ),
    "rating_extreme": lambda f: "a rating at one end of the scale (1 or 5 stars)",
    "rating_deviation": lambda f: (
        f"rating {f.values['rating_deviation']:.1f} stars away from the brand's mean "
        f"({f.facts.get('brand_mean', 0):.1f})"
    ),
    "brand_log_week": lambda f: (
        f"{f.facts['brand_week']} reviews of this brand in the 7 days before"
    ),
    "brand_log_day": lambda f: f"{f.facts['brand_day']} reviews of this brand in the 24 h before",
    "brand_one_review_share": lambda f: (
        f"{f.values['brand_one_review_share']:.0%} of the brand's recent reviewers wrote no "
        "other review"
    ),
    "brand_burst_ratio": lambda f: (
        f"ratings on this side of the scale {f.values['brand_burst_ratio']:.1f} times the "
        "brand's usual rate"
    ),
    "network_accounts": lambda f: (
        f"{int(f.values['network_accounts'])} accounts from the same network on this brand"
    ),
    "device_accounts": lambda f: (
        f"{int(f.values['device_accounts'])} accounts from the same network and device on "
        "this brand"
    ),
    "duplicate_similarity": lambda f: (
        f"text {f.values['duplicate_similarity']:.0%} similar to an earlier review"
    ),
    "content_findings": lambda f: f.facts["evidence"].get("content_findings", "content checks"),
    **{f"check_{name}": _sentence_for_check(f"check_{name}") for name in HEURISTIC_CHECKS},
    "text_log_chars": lambda f: f"a text of {f.facts['words']} words",
    "text_log_words": lambda f: f"a text of {f.facts['words']} words",
    "punctuation_rate": lambda f: f"punctuation {f.values['punctuation_rate']:.1%} of characters",
    "exclamation_rate": lambda f: f"{f.facts['exclamations']} exclamation marks",
    "uppercase_rate": lambda f: f"{f.values['uppercase_rate']:.0%} of letters in capitals",
    "first_person_rate": lambda f: (
        f"first-person words {f.values['first_person_rate']:.0%} of the text"
    ),
    "superlative_rate": lambda f: f"{f.facts['superlatives']} superlatives",
    "language_fr": lambda f: "written in French",
    "language_en": lambda f: "written in English",
    TEXT_GROUP: lambda f: "wording close to that of fake reviews in the training data",
}


def explain(name: str, features: Features) -> str:
    return SENTENCES[name](features)
