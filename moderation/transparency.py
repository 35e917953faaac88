"""The live transparency report, computed from the moderation engine's own records.

Population: the submissions of kind "review" the engine *received* (`Submission.received_at`)
in the period, optionally of one brand. Each one's outcome is its latest final decision
(publish, label, verify, reject or remove; "send to a moderator" and "proof requested" are
steps, not outcomes); one without a final decision yet is pending. So every figure of a period
is about the same reviews, and a period's figures never change except while some of its reviews
are still pending.

Brands' replies are counted apart, each version of a reply as one submission of kind "reply"
received in the period: received, published, rejected, removed, pending, and the delay from
receipt to publication against REPLY_DECISION_MAX_DELAY (NF-RES-5: 7 days).

Reports, flags and appeals are counted by the day they were filed (DSA-28 (b), (d)), with the
same period and brand, and the misuse sanctions by the day they were taken (DSA-29).

Moderation delays run from receipt to the first final decision (a later removal after a report
is not a moderation delay). Percentiles use the nearest-rank method: the
p-th percentile is the smallest delay such that at least p % of the delays are at most it; it is
always one of the observed delays, so it can be recomputed exactly by hand.

Everything is read in five queries, whatever the period (the figures are aggregated here, so the
same code runs on SQLite and PostgreSQL). `python manage.py transparency_report` prints the same
figures (DSA-28, EU-4, FTC-8, ISO-PUB-2, NF-RES-4).
"""

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from moderation.models import Appeal, Decision, Report, ReportingSanction, Submission
from moderation.rules import RULES, Action

KIND = "review"
REPLY_KIND = "reply"  # brands' replies: counted apart, each version as received
RATINGS = (1, 2, 3, 4, 5)
PERCENTILES = (50, 90, 99)
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
FINAL_OUTCOMES = (
    Decision.Outcome.PUBLISH,
    Decision.Outcome.LABEL,
    Decision.Outcome.VERIFY,
    Decision.Outcome.REJECT,
    Decision.Outcome.REMOVE,
)
_VERDICTS = {
    Decision.Outcome.REJECT: "rejected",
    Decision.Outcome.REMOVE: "removed",
}  # every other final outcome leaves the review published


class InvalidPeriod(ValueError):
    """The period asked for cannot be reported on; the message says why."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00) in the site's time zone."""
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )


EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def make_period(*, start: date | None = None, end: date | None = None) -> Period:
    """A valid period; by default the last DEFAULT_PERIOD_DAYS days, today included."""
    for day in (start, end):
        # Far from Voix's years, where date arithmetic would overflow (date.min, date.max).
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise InvalidPeriod(_("This date is out of range."))
    end = end or timezone.localdate()
    start = start or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end:
        raise InvalidPeriod(_("The start date must be on or before the end date."))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidPeriod(_("A period covers at most %(days)d days.") % {"days": MAX_PERIOD_DAYS})
    return Period(start=start, end=end)


def last_twelve_months(*, today: date | None = None) -> Period:
    """The year up to today included (365 or 366 days, so a period the full report accepts):
    the period of a brand's figures on its page."""
    end = today or timezone.localdate()
    try:
        year_before = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        year_before = date(end.year - 1, 2, 28)
    return make_period(start=year_before + timedelta(days=1), end=end)


def month_period(value: str) -> Period:
    """`2026-10` → the whole of October 2026."""
    try:
        first = datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 (a date, no time)
    except ValueError:
        raise InvalidPeriod(
            _("“%(value)s” is not a month written YYYY-MM.") % {"value": value}
        ) from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return make_period(start=first, end=following - timedelta(days=1))


@dataclass(frozen=True)
class RatingFigures:
    rating: int
    received: int
    decided: int
    published: int
    rejected: int

    @property
    def rejection_rate(self) -> float | None:
        """Rejected / decided reviews with this rating; None when none was decided."""
        return self.rejected / self.decided if self.decided else None


@dataclass(frozen=True)
class DelayFigures:
    count: int
    percentiles: dict[int, float | None]  # seconds, nearest rank
    maximum: float | None
    stated_maximum: float
    over_stated_maximum: int


@dataclass(frozen=True)
class NoticeFigures:
    """Reports of one source (notices of illegal content, reports under the code of conduct,
    brand flags) filed in the period, and what became of them (DSA-28 (b))."""

    source: str
    filed: int
    from_trusted_flaggers: int
    upheld: int
    dismissed: int
    open: int
    median_hours_to_decision: float | None


@dataclass(frozen=True)
class AppealFigures:
    """Appeals filed in the period (DSA-28 (d)): by authors and by reporters."""

    filed: int
    by_authors: int
    by_reporters: int
    upheld: int
    reversed: int
    open: int
    median_hours_to_decision: float | None

    @property
    def reversal_rate(self) -> float | None:
        decided = self.upheld + self.reversed
        return self.reversed / decided if decided else None


@dataclass(frozen=True)
class ReplyFigures:
    """Brands' replies received in the period, each version of a reply counted once, and the
    delay from receipt to publication against the stated maximum (NF-RES-5: 7 days).

    `overdue` counts the versions still awaiting a decision longer than the stated maximum
    when the report is computed; `delays` are those of the versions whose first decision
    published them."""

    received: int
    published: int
    rejected: int
    removed: int
    pending: int
    overdue: int
    delays: DelayFigures


@dataclass(frozen=True)
class TransparencyReport:
    period: Period
    brand_id: int | None
    received: int
    pending: int
    in_review: int
    published: int
    labelled: int
    rejected: int
    removed: int
    rejected_by_rule: dict[str, int]  # every rule that can refuse, in registry order
    removed_by_rule: dict[str, int]
    by_rating: list[RatingFigures]
    decided_automatically: int
    decided_by_moderators: int
    delays: DelayFigures
    notices: list[NoticeFigures]
    appeals: AppealFigures
    reporting_warnings: int
    reporting_suspensions: int
    replies: ReplyFigures

    @property
    def decided(self) -> int:
        return self.published + self.rejected + self.removed

    @property
    def automated_share(self) -> float | None:
        return self.decided_automatically / self.decided if self.decided else None

    @property
    def human_share(self) -> float | None:
        return self.decided_by_moderators / self.decided if self.decided else None

    def as_dict(self) -> dict[str, Any]:
        """The machine-readable report: the JSON of the API and of the command."""
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "brand_id": self.brand_id,
            "received": self.received,
            "pending": self.pending,
            "in_review": self.in_review,
            "published": self.published,
            "labelled": self.labelled,
            "rejected": self.rejected,
            "removed": self.removed,
            "rejected_by_rule": self.rejected_by_rule,
            "removed_by_rule": self.removed_by_rule,
            "by_rating": [
                {
                    "rating": figures.rating,
                    "received": figures.received,
                    "decided": figures.decided,
                    "published": figures.published,
                    "rejected": figures.rejected,
                    "rejection_rate": figures.rejection_rate,
                }
                for figures in self.by_rating
            ],
            "decided_automatically": self.decided_automatically,
            "decided_by_moderators": self.decided_by_moderators,
            "automated_share": self.automated_share,
            "human_share": self.human_share,
            "delay_seconds": {
                "count": self.delays.count,
                **{f"p{p}": value for p, value in self.delays.percentiles.items()},
                "max": self.delays.maximum,
                "stated_max": self.delays.stated_maximum,
                "over_stated_max": self.delays.over_stated_maximum,
            },
            "reports": [
                {
                    "source": figures.source,
                    "filed": figures.filed,
                    "from_trusted_flaggers": figures.from_trusted_flaggers,
                    "upheld": figures.upheld,
                    "dismissed": figures.dismissed,
                    "open": figures.open,
                    "median_hours_to_decision": figures.median_hours_to_decision,
                }
                for figures in self.notices
            ],
            "appeals": {
                "filed": self.appeals.filed,
                "by_authors": self.appeals.by_authors,
                "by_reporters": self.appeals.by_reporters,
                "upheld": self.appeals.upheld,
                "reversed": self.appeals.reversed,
                "open": self.appeals.open,
                "reversal_rate": self.appeals.reversal_rate,
                "median_hours_to_decision": self.appeals.median_hours_to_decision,
            },
            "reporting_misuse": {
                "warnings": self.reporting_warnings,
                "suspensions": self.reporting_suspensions,
            },
            "replies": {
                "received": self.replies.received,
                "published": self.replies.published,
                "rejected": self.replies.rejected,
                "removed": self.replies.removed,
                "pending": self.replies.pending,
                "overdue": self.replies.overdue,
                "publication_delay_seconds": {
                    "count": self.replies.delays.count,
                    **{f"p{p}": value for p, value in self.replies.delays.percentiles.items()},
                    "max": self.replies.delays.maximum,
                    "stated_max": self.replies.delays.stated_maximum,
                    "over_stated_max": self.replies.delays.over_stated_maximum,
                },
            },
        }

    def rows(self) -> list[tuple[str, str, str]]:
        """(figure, dimension, value) rows: the CSV export and the command's text output."""
        rows: list[tuple[str, str, str]] = [
            ("period_start", "", self.period.start.isoformat()),
            ("period_end", "", self.period.end.isoformat()),
            ("brand_id", "", "" if self.brand_id is None else str(self.brand_id)),
        ]
        for name in (
            "received",
            "pending",
            "in_review",
            "published",
            "labelled",
            "rejected",
            "removed",
        ):
            rows.append((name, "", str(getattr(self, name))))
        rows += [("rejected_by_rule", code, str(n)) for code, n in self.rejected_by_rule.items()]
        rows += [("removed_by_rule", code, str(n)) for code, n in self.removed_by_rule.items()]
        for figures in self.by_rating:
            dimension = str(figures.rating)
            rows += [
                ("received_by_rating", dimension, str(figures.received)),
                ("published_by_rating", dimension, str(figures.published)),
                ("rejected_by_rating", dimension, str(figures.rejected)),
                ("rejection_rate_by_rating", dimension, _number(figures.rejection_rate)),
            ]
        rows += [
            ("decided_automatically", "", str(self.decided_automatically)),
            ("decided_by_moderators", "", str(self.decided_by_moderators)),
            ("automated_share", "", _number(self.automated_share)),
            ("human_share", "", _number(self.human_share)),
            ("delay_seconds_count", "", str(self.delays.count)),
        ]
        rows += [
            (f"delay_seconds_p{p}", "", _number(value))
            for p, value in self.delays.percentiles.items()
        ]
        rows += [
            ("delay_seconds_max", "", _number(self.delays.maximum)),
            ("delay_seconds_stated_max", "", _number(self.delays.stated_maximum)),
            ("delay_over_stated_max", "", str(self.delays.over_stated_maximum)),
        ]
        for notice in self.notices:
            rows += [
                (f"reports_{name}", notice.source, _number(getattr(notice, name)))
                for name in (
                    "filed",
                    "from_trusted_flaggers",
                    "upheld",
                    "dismissed",
                    "open",
                    "median_hours_to_decision",
                )
            ]
        rows += [
            (f"appeals_{name}", "", _number(getattr(self.appeals, name)))
            for name in (
                "filed",
                "by_authors",
                "by_reporters",
                "upheld",
                "reversed",
                "open",
                "reversal_rate",
                "median_hours_to_decision",
            )
        ]
        rows += [
            ("reporting_warnings", "", str(self.reporting_warnings)),
            ("reporting_suspensions", "", str(self.reporting_suspensions)),
        ]
        replies = self.replies
        rows += [
            (f"replies_{name}", "", str(getattr(replies, name)))
            for name in ("received", "published", "rejected", "removed", "pending", "overdue")
        ]
        rows += [("reply_delay_seconds_count", "", str(replies.delays.count))]
        rows += [
            (f"reply_delay_seconds_p{p}", "", _number(value))
            for p, value in replies.delays.percentiles.items()
        ]
        rows += [
            ("reply_delay_seconds_max", "", _number(replies.delays.maximum)),
            ("reply_delay_seconds_stated_max", "", _number(replies.delays.stated_maximum)),
            ("reply_delay_over_stated_max", "", str(replies.delays.over_stated_maximum)),
        ]
        return rows

    def query(self, *, with_brand: bool = True) -> str:
        """The query string that asks the page, the CSV and the API for this same report (or for
        that of all brands over the same period, without `with_brand`)."""
        params = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        if with_brand and self.brand_id is not None:
            params["brand_id"] = str(self.brand_id)
        return urlencode(params)

    def rejections_per_rule(self, *, language: str) -> list[tuple[str, str, int, int]]:
        """(rule code, rule title in `language`, reviews rejected under it, reviews removed under
        it after publication), in registry order."""
        return [
            (
                code,
                RULES[code].title(language) if code in RULES else code,
                count,
                self.removed_by_rule.get(code, 0),
            )
            for code, count in self.rejected_by_rule.items()
        ]

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("figure", "dimension", "value"))
        writer.writerows(self.rows())
        return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _median_hours(durations: list[float]) -> float | None:
    """Nearest-rank median of durations in seconds, in hours."""
    median = nearest_rank(sorted(durations), 50)
    return None if median is None else round(median / 3600, 2)


def refusal_rule_codes() -> list[str]:
    """Rules a review can be refused under (everything but labels), in registry order."""
    return [
        code
        for code, rule in RULES.items()
        if rule.action != Action.LABEL and rule.applies_to(KIND)
    ]


def nearest_rank(sorted_values: list[float], percentile: int) -> float | None:
    if not sorted_values:
        return None
    rank = max(1, math.ceil(percentile / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def compute_transparency(*, period: Period, brand_id: int | None = None) -> TransparencyReport:
    """The report of the reviews received in `period` (of one brand if `brand_id`)."""
    since, until = period.bounds()
    # Reviews and replies are read together, so that replies add no query.
    submissions = Submission.objects.filter(
        kind__in=(KIND, REPLY_KIND), received_at__gte=since, received_at__lt=until
    )
    if brand_id is not None:
        submissions = submissions.filter(brand_id=brand_id)
    received: dict[int, tuple[int | None, str, datetime]] = {}
    replies: dict[int, tuple[str, datetime]] = {}
    for pk, kind, rating, state, received_at in submissions.values_list(
        "pk", "kind", "rating", "state", "received_at"
    ):
        if kind == KIND:
            received[pk] = (rating, state, received_at)
        else:
            replies[pk] = (state, received_at)
    finals: dict[int, tuple[str, str]] = {}
    firsts: dict[int, tuple[bool, datetime, str]] = {}
    decisions = (
        Decision.objects.filter(submission__in=submissions, outcome__in=FINAL_OUTCOMES)
        .order_by("id")
        .values_list("submission_id", "outcome", "rule_code", "decided_by_id", "decided_at")
    )
    for submission_id, outcome, rule_code, decided_by_id, decided_at in decisions:
        finals[submission_id] = (outcome, rule_code)  # the latest
        firsts.setdefault(submission_id, (decided_by_id is None, decided_at, outcome))

    totals = Counter[str]()
    by_rule = dict.fromkeys(refusal_rule_codes(), 0)
    removed_by_rule = dict.fromkeys(refusal_rule_codes(), 0)
    per_rating = {rating: Counter[str]() for rating in RATINGS}
    delays: list[float] = []
    for pk, (rating, state, received_at) in received.items():
        counts = per_rating.get(rating or 0, Counter[str]())  # a kind without ratings: no row
        counts["received"] += 1
        if pk not in finals:
            totals["pending" if state == Submission.State.PENDING else "in_review"] += 1
            continue
        outcome, rule_code = finals[pk]
        by_pipeline, decided_at, _first_outcome = firsts[pk]
        verdict = _VERDICTS.get(Decision.Outcome(outcome), "published")
        counts["decided"] += 1
        counts[verdict] += 1
        totals[verdict] += 1
        if verdict == "rejected":
            by_rule[rule_code] = by_rule.get(rule_code, 0) + 1
        elif verdict == "removed":
            removed_by_rule[rule_code] = removed_by_rule.get(rule_code, 0) + 1
        totals["labelled"] += outcome == Decision.Outcome.LABEL
        totals["automated"] += by_pipeline
        delays.append(max(0.0, (decided_at - received_at).total_seconds()))

    delays.sort()
    stated = settings.REVIEW_DECISION_MAX_DELAY.total_seconds()
    return TransparencyReport(
        period=period,
        brand_id=brand_id,
        received=len(received),
        pending=totals["pending"],
        in_review=totals["in_review"],
        published=totals["published"],
        labelled=totals["labelled"],
        rejected=totals["rejected"],
        removed=totals["removed"],
        rejected_by_rule=by_rule,
        removed_by_rule=removed_by_rule,
        by_rating=[
            RatingFigures(
                rating=rating,
                received=counts["received"],
                decided=counts["decided"],
                published=counts["published"],
                rejected=counts["rejected"],
            )
            for rating, counts in per_rating.items()
        ],
        decided_automatically=totals["automated"],
        decided_by_moderators=len(delays) - totals["automated"],
        delays=DelayFigures(
            count=len(delays),
            percentiles={p: nearest_rank(delays, p) for p in PERCENTILES},
            maximum=delays[-1] if delays else None,
            stated_maximum=stated,
            over_stated_maximum=sum(1 for delay in delays if delay > stated),
        ),
        notices=_notice_figures(since, until, brand_id),
        appeals=_appeal_figures(since, until, brand_id),
        **_sanction_figures(since, until, brand_id),
        replies=_reply_figures(replies, finals, firsts),
    )


def _reply_figures(
    replies: dict[int, tuple[str, datetime]],
    finals: dict[int, tuple[str, str]],
    firsts: dict[int, tuple[bool, datetime, str]],
) -> ReplyFigures:
    """Each version's outcome is its latest final decision, as for reviews; its publication
    delay runs from receipt to the decision that first published it."""
    stated = settings.REPLY_DECISION_MAX_DELAY.total_seconds()
    now = timezone.now()
    totals = Counter[str]()
    delays: list[float] = []
    for pk, (_state, received_at) in replies.items():
        if pk not in finals:
            totals["pending"] += 1
            totals["overdue"] += (now - received_at).total_seconds() > stated
            continue
        totals[_VERDICTS.get(Decision.Outcome(finals[pk][0]), "published")] += 1
        _by_pipeline, decided_at, first_outcome = firsts[pk]
        if first_outcome == Decision.Outcome.PUBLISH:
            delays.append(max(0.0, (decided_at - received_at).total_seconds()))
    delays.sort()
    return ReplyFigures(
        received=len(replies),
        published=totals["published"],
        rejected=totals["rejected"],
        removed=totals["removed"],
        pending=totals["pending"],
        overdue=totals["overdue"],
        delays=DelayFigures(
            count=len(delays),
            percentiles={p: nearest_rank(delays, p) for p in PERCENTILES},
            maximum=delays[-1] if delays else None,
            stated_maximum=stated,
            over_stated_maximum=sum(1 for delay in delays if delay > stated),
        ),
    )


def _notice_figures(since: datetime, until: datetime, brand_id: int | None) -> list[NoticeFigures]:
    reports = Report.objects.filter(
        created_at__gte=since, created_at__lt=until, submission__kind=KIND
    )
    if brand_id is not None:
        reports = reports.filter(submission__brand_id=brand_id)
    per_source = {source: Counter[str]() for source in Report.Source.values}
    durations: dict[str, list[float]] = {source: [] for source in Report.Source.values}
    for source, status, trusted, created_at, decided_at in reports.values_list(
        "source", "status", "trusted_flagger", "created_at", "decided_at"
    ):
        counts = per_source[source]
        counts["filed"] += 1
        counts["trusted"] += trusted
        counts[status] += 1
        if decided_at is not None:
            durations[source].append((decided_at - created_at).total_seconds())
    return [
        NoticeFigures(
            source=source,
            filed=counts["filed"],
            from_trusted_flaggers=counts["trusted"],
            upheld=counts[Report.Status.UPHELD],
            dismissed=counts[Report.Status.DISMISSED],
            open=counts[Report.Status.OPEN],
            median_hours_to_decision=_median_hours(durations[source]),
        )
        for source, counts in per_source.items()
    ]


def _appeal_figures(since: datetime, until: datetime, brand_id: int | None) -> AppealFigures:
    appeals = Appeal.objects.filter(
        created_at__gte=since, created_at__lt=until, submission__kind=KIND
    )
    if brand_id is not None:
        appeals = appeals.filter(submission__brand_id=brand_id)
    counts = Counter[str]()
    durations: list[float] = []
    for status, report_id, created_at, decided_at in appeals.values_list(
        "status", "report_id", "created_at", "decided_at"
    ):
        counts["filed"] += 1
        counts["by_reporters" if report_id else "by_authors"] += 1
        counts[status] += 1
        if decided_at is not None:
            durations.append((decided_at - created_at).total_seconds())
    return AppealFigures(
        filed=counts["filed"],
        by_authors=counts["by_authors"],
        by_reporters=counts["by_reporters"],
        upheld=counts[Appeal.Status.UPHELD],
        reversed=counts[Appeal.Status.REVERSED],
        open=counts[Appeal.Status.OPEN],
        median_hours_to_decision=_median_hours(durations),
    )


def _sanction_figures(since: datetime, until: datetime, brand_id: int | None) -> dict[str, int]:
    """Misuse sanctions concern accounts, not brands: a brand's report shows none."""
    if brand_id is not None:
        return {"reporting_warnings": 0, "reporting_suspensions": 0}
    kinds = Counter(
        ReportingSanction.objects.filter(created_at__gte=since, created_at__lt=until).values_list(
            "kind", flat=True
        )
    )
    return {
        "reporting_warnings": kinds[ReportingSanction.Kind.WARNING],
        "reporting_suspensions": kinds[ReportingSanction.Kind.SUSPENSION],
    }


# THE AUTHENTICITY MODEL'S PUBLIC CARD (DSA art. 15(1)(e): accuracy indicators of automated means)
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthenticityModelCard:
    version: str
    created_at: datetime
    training_size: int
    metrics: dict[str, Any]
    threshold: float
    alerts: int  # reviews the model sent to a moderator (score at or above the threshold)
    alerts_reviewed: int  # ... that a moderator decided
    alerts_confirmed: int  # ... and restricted (rejected or removed)

    @property
    def confirmed_share(self) -> float | None:
        return self.alerts_confirmed / self.alerts_reviewed if self.alerts_reviewed else None


def authenticity_model_card() -> AuthenticityModelCard | None:
    """The current model, its measured figures, and how often moderators confirmed its alerts
    (all versions), computed from the decisions. None before a model is trained."""
    from moderation.models import AuthenticityModel

    model = AuthenticityModel.objects.filter(is_current=True).defer("estimator").first()
    if model is None:
        return None
    threshold = settings.AUTHENTICITY_MODEL_HUMAN_THRESHOLD
    alerted = Decision.objects.filter(decided_by__isnull=True, model_score__gte=threshold).values(
        "submission_id"
    )
    by_moderators = Decision.objects.filter(
        submission_id__in=alerted,
        decided_by__isnull=False,
        outcome__in=[
            Decision.Outcome.PUBLISH,
            Decision.Outcome.REJECT,
            Decision.Outcome.REMOVE,
            Decision.Outcome.LABEL,
            Decision.Outcome.VERIFY,
        ],
    )
    restricting = [Decision.Outcome.REJECT, Decision.Outcome.REMOVE]
    return AuthenticityModelCard(
        version=model.label,
        created_at=model.created_at,
        training_size=model.training_size,
        metrics=model.metrics,
        threshold=threshold,
        alerts=alerted.count(),
        alerts_reviewed=by_moderators.values("submission_id").distinct().count(),
        alerts_confirmed=by_moderators.filter(outcome__in=restricting)
        .values("submission_id")
        .distinct()
        .count(),
    )
