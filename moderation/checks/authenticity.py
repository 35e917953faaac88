"""Authenticity checks: is this a real, independent consumer's experience?

Each check reads only the engine's own records, and measures time from the submission's own
`submitted_at`, so replaying history gives the same answers. None of them may reject: their
rules send to a moderator (DESIGN.md: text style alone never rejects). Every check treats both
ends of the rating scale the same way (NF-MOD-3).
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q

from moderation import similarity
from moderation.checks.base import Finding
from moderation.models import Submission, TextBand

# Bounded work per text, whatever the store's size: the most recent matches of each band are
# read from the index, and the most recent earlier texts among them are compared.
MATCHES_PER_BAND = 25
MAX_DUPLICATE_CANDIDATES = 50


def _same_kind_before(sub: Submission) -> Q:
    """Submissions of the same kind that came before this one (ties broken by id)."""
    return Q(kind=sub.kind) & (
        Q(submitted_at__lt=sub.submitted_at) | Q(submitted_at=sub.submitted_at, pk__lt=sub.pk)
    )


def _ago(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{round(hours)} h"
    return f"{round(hours / 24)} days"


def _band_matches(keys: list[int], *, before_id: int) -> list[int]:
    """Ids of the most recent earlier texts sharing a band: at most MATCHES_PER_BAND per band.

    On PostgreSQL each band is read from the (key, submission) index with its own LIMIT, so the
    work is bounded whatever the store's size and whatever the planner's statistics say (a
    LIMIT over the whole IN list let the planner pick a scan of the table). Earlier means a
    lower id: texts are indexed in the order they are received.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT match.submission_id FROM unnest(%s::bigint[]) AS band(key) "
                "CROSS JOIN LATERAL (SELECT submission_id FROM moderation_textband "
                "WHERE key = band.key AND submission_id < %s "
                "ORDER BY submission_id DESC LIMIT %s) AS match",
                [keys, before_id, MATCHES_PER_BAND],
            )
            return [row[0] for row in cursor.fetchall()]
    # The embedded SQLite default holds small stores: the plain lookup is enough there.
    return list(
        TextBand.objects.filter(key__in=keys, submission_id__lt=before_id)
        .values_list("submission_id", flat=True)
        .distinct()
    )


def check_near_duplicates(sub: Submission) -> list[Finding]:
    """The same text posted by another account, or by the same account on another brand."""
    if sub.minhash is None:
        return []
    own = similarity.from_bytes(sub.minhash)
    candidate_ids = _band_matches(similarity.band_keys(own), before_id=sub.pk)
    candidates = (
        Submission.objects.filter(_same_kind_before(sub), pk__in=candidate_ids)
        .exclude(author_id=sub.author_id, brand_id=sub.brand_id)
        .order_by("-submitted_at")
        .only("pk", "minhash", "author_id", "brand_id", "submitted_at")[:MAX_DUPLICATE_CANDIDATES]
    )
    matches = []
    for other in candidates:
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


def check_shared_network(sub: Submission) -> list[Finding]:
    """Several accounts from one network (and one device) reviewing one brand in a window."""
    if not sub.network_hash:
        return []
    since = sub.submitted_at - settings.NETWORK_WINDOW
    nearby = Submission.objects.filter(
        Q(pk=sub.pk) | _same_kind_before(sub),
        brand_id=sub.brand_id,
        network_hash=sub.network_hash,
        submitted_at__gte=since,
    )
    counts = nearby.aggregate(
        accounts=Count("author", distinct=True),
        same_device=Count("author", distinct=True, filter=Q(device_hash=sub.device_hash)),
    )
    days = settings.NETWORK_WINDOW.days
    if sub.device_hash and counts["same_device"] >= settings.DEVICE_MIN_ACCOUNTS:
        n = counts["same_device"]
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
    if counts["accounts"] >= settings.NETWORK_MIN_ACCOUNTS:
        n = counts["accounts"]
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
    window_start = sub.submitted_at - settings.BURST_WINDOW
    baseline_start = window_start - settings.BURST_BASELINE_WINDOW
    counts = Submission.objects.filter(
        Q(pk=sub.pk) | _same_kind_before(sub),
        brand_id=sub.brand_id,
        rating__in=side,
        submitted_at__gte=baseline_start,
    ).aggregate(
        recent=Count("pk", filter=Q(submitted_at__gte=window_start)),
        before=Count("pk", filter=Q(submitted_at__lt=window_start)),
    )
    recent = counts["recent"]
    windows_in_baseline = settings.BURST_BASELINE_WINDOW / settings.BURST_WINDOW
    usual = counts["before"] / windows_in_baseline
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
    earlier = Submission.objects.filter(_same_kind_before(sub), author_id=sub.author_id).exists()
    if age >= settings.NEW_ACCOUNT_AGE and earlier:
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
