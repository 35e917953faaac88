"""Authenticity checks: is this a real, independent consumer's experience?

Each check reads only the engine's own records, and measures time from the submission's own
`submitted_at`, so replaying history gives the same answers. None of them may reject: their
rules send to a moderator (DESIGN.md: text style alone never rejects). Every check treats both
ends of the rating scale the same way (NF-MOD-3).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from moderation import similarity
from moderation.checks.base import Finding
from moderation.models import Submission

# Bounded work per text, whatever the store's size: the most recent matches of each band are
# read from the index, and the most recent earlier texts among them are compared.
MATCHES_PER_BAND = 25
MAX_DUPLICATE_CANDIDATES = 50


# A worker spends more time having Django build a query than PostgreSQL spends running it, so
# the checks read the store with hand-written SQL (portable to the SQLite default) in as few
# round trips as possible: one for the near-duplicates, one for the three window counts.
# "Earlier" is always: same kind, submitted before, ties on submitted_at broken by id, written
# as a row comparison (cheaper to plan than the equivalent ORs); its parameters come from
# `_earlier_params`. The {fields} of these statements are filled with the fixed fragments
# below or with placeholders, never with values.

_CANDIDATES = (
    'SELECT "id", "minhash", "author_id", "brand_id", "submitted_at" FROM "moderation_submission" '
    'WHERE "id" IN ({matches}) '
    'AND "kind" = %s AND ("submitted_at", "id") < (%s, %s) '
    'AND NOT ("author_id" = %s AND "brand_id" = %s) '
    'ORDER BY "submitted_at" DESC LIMIT %s'
)
# On PostgreSQL each band is read from the (key, submission) index with its own LIMIT, so the
# work is bounded whatever the store's size and whatever the planner's statistics say (a LIMIT
# over the whole IN list let the planner pick a scan of the table). Earlier means a lower id:
# texts are indexed in the order they are received.
_BAND_MATCHES_POSTGRESQL = (
    'SELECT "match"."submission_id" FROM unnest(%s::bigint[]) AS "band"("key") '
    'CROSS JOIN LATERAL (SELECT "submission_id" FROM "moderation_textband" '
    'WHERE "key" = "band"."key" AND "submission_id" < %s '
    'ORDER BY "submission_id" DESC LIMIT %s) AS "match"'
)
# The embedded SQLite default holds small stores: the plain lookup is enough there.
_BAND_MATCHES_SQLITE = (
    'SELECT "submission_id" FROM "moderation_textband" '
    'WHERE "key" IN ({keys}) AND "submission_id" < %s'
)
# Accounts on the brand from this network in the window (this submission or earlier ones).
_NETWORK_COUNTS = (
    'SELECT COUNT(DISTINCT "author_id") AS network_accounts, '
    'COUNT(DISTINCT CASE WHEN "device_hash" = %s THEN "author_id" END) AS network_same_device '
    'FROM "moderation_submission" '
    'WHERE "brand_id" = %s AND "network_hash" = %s AND "submitted_at" >= %s AND "kind" = %s '
    'AND ("submitted_at", "id") <= (%s, %s)'
)
# Ratings on one side of the scale (`_side`: two adjacent stars) on the brand: in the burst
# window, and in the baseline before it (this submission or earlier ones). Read from the
# covering `sub_brand_time_idx`.
_BURST_COUNTS = (
    'SELECT COUNT(CASE WHEN "submitted_at" >= %s THEN 1 END) AS burst_recent, '
    'COUNT(CASE WHEN "submitted_at" < %s THEN 1 END) AS burst_before '
    'FROM "moderation_submission" '
    'WHERE "brand_id" = %s AND "rating" BETWEEN %s AND %s AND "submitted_at" >= %s AND "kind" = %s '
    'AND ("submitted_at", "id") <= (%s, %s)'
)
_AUTHOR_EARLIER = (
    'SELECT CASE WHEN EXISTS (SELECT 1 FROM "moderation_submission" WHERE "author_id" = %s '
    'AND "kind" = %s AND ("submitted_at", "id") < (%s, %s)) '
    "THEN 1 ELSE 0 END AS author_has_earlier"
)
# Stand-ins for the counts a check will not read.
_NO_NETWORK_COUNTS = "SELECT 0 AS network_accounts, 0 AS network_same_device"
_NO_BURST_COUNTS = "SELECT 0 AS burst_recent, 0 AS burst_before"
_NO_AUTHOR_EARLIER = "SELECT 0 AS author_has_earlier"
_HISTORY = (
    "SELECT network_accounts, network_same_device, burst_recent, burst_before, "
    "author_has_earlier FROM ({network}) AS network CROSS JOIN ({burst}) AS burst "
    "CROSS JOIN ({earlier}) AS earlier"
)


def _earlier_params(sub: Submission) -> list[Any]:
    """Kind, then the (submitted_at, id) to compare with."""
    return [sub.kind, _db_time(sub.submitted_at), sub.pk]


def _db_time(moment: datetime) -> Any:
    """A datetime parameter as the ORM passes it (SQLite stores naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _ago(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{round(hours)} h"
    return f"{round(hours / 24)} days"


def _candidates(sub: Submission, keys: list[int]) -> list[Submission]:
    """Earlier texts sharing a MinHash band with this one, except this author's on this brand,
    most recent first, at most MAX_DUPLICATE_CANDIDATES (MATCHES_PER_BAND a band on
    PostgreSQL): one query."""
    if connection.vendor == "postgresql":
        matches = _BAND_MATCHES_POSTGRESQL
        match_params: list[Any] = [keys, sub.pk, MATCHES_PER_BAND]
    else:
        matches = _BAND_MATCHES_SQLITE.format(keys=", ".join(["%s"] * len(keys)))
        match_params = [*keys, sub.pk]
    return list(
        Submission.objects.raw(
            _CANDIDATES.format(matches=matches),
            [
                *match_params,
                *_earlier_params(sub),
                sub.author_id,
                sub.brand_id,
                MAX_DUPLICATE_CANDIDATES,
            ],
        )
    )


def check_near_duplicates(sub: Submission) -> list[Finding]:
    """The same text posted by another account, or by the same account on another brand."""
    if sub.minhash is None:
        return []
    own = similarity.from_bytes(sub.minhash)
    matches = []
    for other in _candidates(sub, similarity.band_keys(own)):
        if other.minhash is None:  # indexed texts always have one; kept for the type checker
            continue
        score = similarity.similarity(own, similarity.from_bytes(other.minhash))
        if score >= settings.DUPLICATE_SIMILARITY_THRESHOLD:
            matches.append((score, other))
    if not matches:
        return []
    matches.sort(key=lambda match: (-match[0], match[1].pk))
    best_score, best = matches[0]
    who = "the same account" if best.author_id == sub.author_id else "another account"
    where = "the same brand" if best.brand_id == sub.brand_id else "another brand"
    return [
        Finding(
            check="near_duplicate",
            rule_code="duplicate_content",
            score=round(min(1.0, 0.4 + best_score * 0.6), 3),
            evidence=(
                f"Text {best_score:.0%} similar to a review by {who} on {where}, "
                f"{_ago(sub.submitted_at - best.submitted_at)} earlier"
                + (f" ({len(matches)} similar texts in all)" if len(matches) > 1 else "")
            ),
            data={
                "similar_submission_ids": [other.pk for _, other in matches[:10]],
                "best_similarity": round(best_score, 3),
            },
        )
    ]


@dataclass(frozen=True)
class _History:
    """The counts the window checks need (0 or False for a count a check will not use)."""

    network_accounts: int  # accounts on the brand from this network in NETWORK_WINDOW
    network_same_device: int  # ... of which from this device too
    burst_recent: int  # reviews on the brand on this side of the scale in BURST_WINDOW
    burst_before: int  # ... in the BURST_BASELINE_WINDOW before it
    author_has_earlier: bool  # an earlier submission by the same account


# Set by `shared_history()`: histories already read, by submission (the pipeline's checks run
# on one submission object, so its identity is the key).
_READ: ContextVar[dict[int, _History] | None] = ContextVar("authenticity_history", default=None)


@contextmanager
def shared_history() -> Iterator[None]:
    """Within the block, a submission's history is read once for all the checks (and for the
    authenticity model, which reads it in an outer block: nested blocks share the reads)."""
    token = _READ.set(_READ.get() if _READ.get() is not None else {})
    try:
        yield
    finally:
        _READ.reset(token)


def _history(sub: Submission) -> _History:
    read = _READ.get()
    if read is not None and id(sub) in read:
        return read[id(sub)]
    history = _read_history(sub)
    if read is not None:
        read[id(sub)] = history
    return history


def _read_history(sub: Submission) -> _History:
    """One query, with a part for each check that applies to this submission; each part reads
    its own index."""
    sql, params = _history_query(sub)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _history_of(cursor.fetchone())


def _history_of(row: tuple[Any, ...]) -> _History:
    accounts, same_device, recent, before, has_earlier = row
    return _History(accounts, same_device, recent, before, author_has_earlier=bool(has_earlier))


def _history_query(sub: Submission) -> tuple[str, list[Any]]:
    """The statement of `_read_history` and its parameters (also run in batches by the
    authenticity model's training: moderation/authenticity/features.py)."""
    network, burst, earlier = _NO_NETWORK_COUNTS, _NO_BURST_COUNTS, _NO_AUTHOR_EARLIER
    params: list[Any] = []
    if sub.network_hash:
        network = _NETWORK_COUNTS
        since = sub.submitted_at - settings.NETWORK_WINDOW
        params += [sub.device_hash, sub.brand_id, sub.network_hash, _db_time(since)]
        params += _earlier_params(sub)
    side = _side(sub.rating)
    if side:
        burst = _BURST_COUNTS
        window_start = sub.submitted_at - settings.BURST_WINDOW
        baseline_start = window_start - settings.BURST_BASELINE_WINDOW
        params += [_db_time(window_start), _db_time(window_start), sub.brand_id]
        params += [side[0], side[-1], _db_time(baseline_start), *_earlier_params(sub)]
    # Only a 1- or 5-star review by an account old enough asks whether it wrote before.
    if sub.rating in (1, 5) and sub.submitted_at - sub.author_joined_at >= settings.NEW_ACCOUNT_AGE:
        earlier = _AUTHOR_EARLIER
        params += [sub.author_id, *_earlier_params(sub)]
    return _HISTORY.format(network=network, burst=burst, earlier=earlier), params


def check_shared_network(sub: Submission) -> list[Finding]:
    """Several accounts from one network (and one device) reviewing one brand in a window."""
    if not sub.network_hash:
        return []
    history = _history(sub)
    days = settings.NETWORK_WINDOW.days
    if sub.device_hash and history.network_same_device >= settings.DEVICE_MIN_ACCOUNTS:
        n = history.network_same_device
        return [
            Finding(
                check="shared_device",
                rule_code="coordinated_campaign",
                score=round(min(1.0, 0.55 + 0.15 * (n - settings.DEVICE_MIN_ACCOUNTS)), 3),
                evidence=f"{n} accounts reviewed this brand from the same network and device "
                f"within {days} days",
                data={"accounts": n, "window_days": days},
            )
        ]
    if history.network_accounts >= settings.NETWORK_MIN_ACCOUNTS:
        n = history.network_accounts
        return [
            Finding(
                check="shared_network",
                rule_code="coordinated_campaign",
                score=round(min(1.0, 0.5 + 0.1 * (n - settings.NETWORK_MIN_ACCOUNTS)), 3),
                evidence=(
                    f"{n} accounts reviewed this brand from the same network within {days} days"
                ),
                data={"accounts": n, "window_days": days},
            )
        ]
    return []


def _side(rating: int | None) -> tuple[int, ...]:
    """The ratings on the same side of the scale as this one: both ends are treated alike."""
    if rating is None:
        return ()
    if rating >= 4:
        return (4, 5)
    if rating <= 2:
        return (1, 2)
    return ()


def check_rating_burst(sub: Submission) -> list[Finding]:
    side = _side(sub.rating)
    if not side:
        return []
    history = _history(sub)
    recent = history.burst_recent
    windows_in_baseline = settings.BURST_BASELINE_WINDOW / settings.BURST_WINDOW
    usual = history.burst_before / windows_in_baseline
    if recent < settings.BURST_MIN_REVIEWS or recent < settings.BURST_RATIO * max(usual, 1.0):
        return []
    ratio = recent / max(usual, 1.0)
    hours = round(settings.BURST_WINDOW.total_seconds() / 3600)
    return [
        Finding(
            check="rating_burst",
            rule_code="coordinated_campaign",
            score=round(min(1.0, 0.5 + 0.05 * (ratio - settings.BURST_RATIO)), 3),
            evidence=f"{recent} reviews rated {side[0]}–{side[-1]} on this brand in {hours} h, "
            f"against {usual:.1f} usually",
            data={"recent": recent, "usual": round(usual, 2), "ratings": list(side)},
        )
    ]


def check_new_account_extreme_rating(sub: Submission) -> list[Finding]:
    """A new or first-time account giving 1 or 5 stars: weak alone, telling with others."""
    if sub.rating not in (1, 5):
        return []
    age = sub.submitted_at - sub.author_joined_at
    if age >= settings.NEW_ACCOUNT_AGE and _history(sub).author_has_earlier:
        return []
    why = (
        f"account created {_ago(age)} before"
        if age < settings.NEW_ACCOUNT_AGE
        else "first review of this account"
    )
    return [
        Finding(
            check="new_account_extreme_rating",
            rule_code="no_consumer_experience",
            score=0.3,
            evidence=f"{sub.rating}-star rating; {why}",
            data={"account_age_days": round(age.total_seconds() / 86400, 1)},
        )
    ]


# Small sentiment lexicons (normalised forms: lower case, no accents), French and English.
_POSITIVE = frozenset(
    [
        "excellent",
        "parfait",
        "parfaite",
        "genial",
        "geniale",
        "super",
        "formidable",
        "impeccable",
        "ravi",
        "ravie",
        "recommande",
        "merveilleux",
        "merveilleuse",
        "top",
        "satisfait",
        "satisfaite",
        "bravo",
        "adore",
        "rapide",
        "aimable",
        "agreable",
        "great",
        "perfect",
        "amazing",
        "wonderful",
        "fantastic",
        "excellent",
        "love",
        "loved",
        "recommend",
        "happy",
        "awesome",
        "friendly",
        "helpful",
        "delighted",
    ]
)
_NEGATIVE = frozenset(
    [
        "horrible",
        "nul",
        "nulle",
        "catastrophique",
        "decu",
        "decue",
        "decevant",
        "decevante",
        "arnaque",
        "honteux",
        "honteuse",
        "inadmissible",
        "lamentable",
        "pire",
        "jamais",
        "scandaleux",
        "scandaleuse",
        "mediocre",
        "insupportable",
        "degoutant",
        "terrible",
        "awful",
        "worst",
        "disappointed",
        "disappointing",
        "scam",
        "useless",
        "rude",
        "horrible",
        "refund",
        "never",
        "broken",
        "disgusting",
    ]
)


def check_rating_text_mismatch(sub: Submission) -> list[Finding]:
    if sub.rating is None:
        return []
    tokens = similarity.words(f"{sub.title} {sub.text}")
    positive = sum(token in _POSITIVE for token in tokens)
    negative = sum(token in _NEGATIVE for token in tokens)
    contradiction = (sub.rating >= 4 and negative >= 2 and positive == 0) or (
        sub.rating <= 2 and positive >= 2 and negative == 0
    )
    if not contradiction:
        return []
    tone = "negative" if negative else "positive"
    return [
        Finding(
            check="rating_text_mismatch",
            rule_code="no_consumer_experience",
            score=0.4,
            evidence=f"{sub.rating}-star rating with a {tone} text "
            f"({max(positive, negative)} {tone} words, none of the other tone)",
            data={"positive_words": positive, "negative_words": negative},
        )
    ]


# Matched on the text's words joined by single spaces (no accents, no punctuation).
_INCENTIVE = re.compile(
    "|".join(
        [
            r"en echange d ?(un|cet|mon|de mon) avis",
            r"contre (un|cet|mon) avis",
            r"bon d ?achat",
            r"offert(e)? (pour|contre)",
            r"recu(e)? gratuitement",
            r"produit (offert|gratuit)",
            r"rembourse(e)? (contre|en echange)",
            r"code (de )?reduction (pour|contre)",
            r"in exchange for (a|an|my|this) (honest )?review",
            r"received (it|this|the product) for free",
            r"free (product|sample|item) (for|in exchange)",
            r"discount (for|in exchange for) (a|my)",
            r"paid (me )?(for|to write) (a|this|my) review",
            r"gift card",
        ]
    )
)


def check_undisclosed_incentive(sub: Submission) -> list[Finding]:
    if sub.incentive_disclosed:
        return []
    match = _INCENTIVE.search(" ".join(similarity.words(f"{sub.title} {sub.text}")))
    if match is None:
        return []
    return [
        Finding(
            check="undisclosed_incentive",
            rule_code="undisclosed_incentive",
            score=0.7,
            evidence=f'Mentions a counterpart ("{match.group(0)}") that the author did not declare',
            data={"phrase": match.group(0)},
        )
    ]


def check_tied_to_brand(sub: Submission) -> list[Finding]:
    """The author's email is on the brand's own domain: likely staff (FTC-3)."""
    domain = sub.brand.domain
    author_domain = sub.author_email_domain
    if not domain or not author_domain:
        return []
    if author_domain != domain and not author_domain.endswith("." + domain):
        return []
    return [
        Finding(
            check="tied_to_brand",
            rule_code="conflict_of_interest",
            score=0.9,
            evidence="The author's email address is on the brand's own domain",
            data={"domain": domain},
        )
    ]


AUTHENTICITY_CHECKS = (
    check_near_duplicates,
    check_shared_network,
    check_rating_burst,
    check_new_account_extreme_rating,
    check_rating_text_mismatch,
    check_undisclosed_incentive,
    check_tied_to_brand,
)
