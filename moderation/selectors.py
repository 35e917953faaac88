"""Reads of the moderation engine's records for other apps (R4)."""

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from moderation import similarity
from moderation.checks.authenticity import MAX_DUPLICATE_CANDIDATES
from moderation.models import (
    Appeal,
    Decision,
    ProofRequest,
    Report,
    Signal,
    Submission,
    TextBand,
    WorkItem,
)


def list_decision_events(*, kind: str, object_id: str) -> QuerySet[AuditEvent]:
    """The audit events of the engine's decisions on one piece of content, and of the reports,
    appeals and proofs about it, oldest first. The queue's own events (items opened, claimed,
    closed) are internal and left out.

    One query: the submission is found by (kind, object_id), its unique key, in subqueries.
    The events carry internal details (signals and their evidence, the moderator's id): callers
    that publish them choose the fields they show.
    """
    submissions = Submission.objects.filter(kind=kind, object_id=str(object_id))

    def ids_of(model: type[Model], **lookup: Any) -> QuerySet[Any]:
        return (
            model._default_manager.filter(**lookup)
            .annotate(pk_text=Cast("pk", output_field=CharField()))
            .values("pk_text")
        )

    return AuditEvent.objects.filter(
        Q(
            object_type=Submission._meta.label_lower,
            object_id__in=ids_of(Submission, kind=kind, object_id=str(object_id)),
            action=AuditEvent.Action.MODERATION_DECIDED,
        )
        | Q(
            object_type=Report._meta.label_lower,
            object_id__in=ids_of(Report, submission__in=submissions),
        )
        | Q(
            object_type=Appeal._meta.label_lower,
            object_id__in=ids_of(Appeal, submission__in=submissions),
        )
        | Q(
            object_type=ProofRequest._meta.label_lower,
            object_id__in=ids_of(ProofRequest, submission__in=submissions),
        )
    ).order_by("id")


def list_queue(
    *,
    moderator: User,
    now: datetime | None = None,
    kind: str | None = None,
    language: str | None = None,
    brand_id: int | None = None,
    rule_code: str | None = None,
    older_than: timedelta | None = None,
) -> QuerySet[WorkItem]:
    """The open items this moderator may take, in the order they should be worked: trusted
    flaggers' notices first (DSA-22), then by due time. Only languages they master (NF-MOD-4),
    never a brand they are tied to, never an appeal against their own decision (DSA-20); items
    under another moderator's live claim are left out, lapsed claims come back."""
    from brands.selectors import brand_ids_of_member

    now = now or timezone.now()
    items = (
        WorkItem.objects.filter(
            state=WorkItem.State.OPEN, language__in=moderator.moderation_languages
        )
        .exclude(brand_id__in=brand_ids_of_member(user_id=moderator.pk))
        .exclude(excluded_moderator=moderator)
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by=moderator) | Q(claim_expires_at__lte=now))
    )
    if kind:
        items = items.filter(kind=kind)
    if language:
        items = items.filter(language=language)
    if brand_id:
        items = items.filter(brand_id=brand_id)
    if rule_code:
        items = items.filter(rule_code=rule_code)
    if older_than:
        items = items.filter(created_at__lte=now - older_than)
    return items.order_by("priority", "due_at", "id")


def get_latest_proof_request(*, kind: str, object_id: str) -> ProofRequest | None:
    """The last proof of experience asked for this content (NF-COL-5), whatever its status."""
    return (
        ProofRequest.objects.filter(submission__kind=kind, submission__object_id=str(object_id))
        .order_by("-requested_at", "-id")
        .first()
    )


def get_proof_for_moderator(*, proof_id: int) -> tuple[ProofRequest, WorkItem] | None:
    """A proof whose document was sent, and the work item that examines it (open or done):
    the item decides who may read the document (moderation.services.ensure_can_moderate)."""
    proof = ProofRequest.objects.filter(pk=proof_id).exclude(document="").first()
    if proof is None:
        return None
    item = WorkItem.objects.filter(proof=proof, kind=WorkItem.Kind.PROOF).order_by("-id").first()
    return None if item is None else (proof, item)


def list_reports_of_reporter(*, reporter_id: int) -> QuerySet[Report]:
    """A reporter's reports, newest first, with the content reported and its brand, and
    `appealed`: whether its dismissal was contested. One query."""
    return (
        Report.objects.filter(reporter_id=reporter_id)
        .select_related("submission__brand")
        .annotate(appealed=Exists(Appeal.objects.filter(report_id=OuterRef("pk"))))
        .order_by("-created_at", "-id")
    )


# THE MODERATORS' WORKSPACE (issue 4)
# ------------------------------------------------------------------------------

# How many rows each list of the item page shows: enough to see a pattern, a bounded cost.
RELATED_LIMIT = 20
BRAND_PATTERN_DAYS = 30
# What is not counted as a moderator's own work: items closed as a side effect of another
# decision (the other reports on content that one decision restricted).
SETTLED = "settled"


def list_queue_with_counts(
    *, moderator: User, now: datetime | None = None, **filters: Any
) -> tuple[QuerySet[WorkItem], dict[str, int]]:
    """The queue (see `list_queue`), ready to show, and how many items of each kind it holds
    under the other filters (so the counts say where the work is). One query for the counts."""
    kind = filters.pop("kind", None)
    items = list_queue(moderator=moderator, now=now, **filters)
    found = dict(items.order_by().values_list("kind").annotate(n=Count("pk")))
    counts = {value: found.get(value, 0) for value in WorkItem.Kind.values}
    if kind:
        items = items.filter(kind=kind)
    return (
        items.select_related("brand", "submission", "claimed_by").defer("submission__minhash"),
        counts,
    )


def list_queue_brands(*, moderator: User) -> list[tuple[int, str]]:
    """The brands of the items this moderator may take: the choices of the brand filter."""
    return list(
        list_queue(moderator=moderator)
        .order_by("brand__name", "brand_id")
        .values_list("brand_id", "brand__name")
        .distinct()
    )


@dataclass(frozen=True)
class Throughput:
    closed_today: int
    closed_this_week: int
    # From the moderator's last claim on an item to its close, over this week's items.
    median_claim_to_close: timedelta | None


def get_moderator_throughput(*, moderator: User, now: datetime | None = None) -> Throughput:
    """What this moderator closed today and this week (from Monday, in the site's time zone),
    and the median time from claim to close. Two queries."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = today - timedelta(days=today.weekday())
    closed = [
        (pk, closed_at)
        for pk, closed_at in WorkItem.objects.filter(
            closed_by=moderator, closed_at__gte=week_start, closed_at__lte=now
        )
        .exclude(outcome=SETTLED)
        .values_list("pk", "closed_at")
        if closed_at is not None
    ]
    claims: dict[str, list[datetime]] = defaultdict(list)
    if closed:
        for object_id, at in AuditEvent.objects.filter(
            action=AuditEvent.Action.WORK_ITEM_CLAIMED,
            object_type=WorkItem._meta.label_lower,
            object_id__in=[str(pk) for pk, _ in closed],
            actor=moderator,
        ).values_list("object_id", "created_at"):
            claims[object_id].append(at)
    durations = []
    for pk, closed_at in closed:
        before = [at for at in claims[str(pk)] if at <= closed_at]
        if before:
            durations.append(closed_at - max(before))
    durations.sort()
    return Throughput(
        closed_today=len([pk for pk, closed_at in closed if closed_at >= today]),
        closed_this_week=len(closed),
        median_claim_to_close=durations[(len(durations) - 1) // 2] if durations else None,
    )


def get_work_item(*, item_id: int) -> WorkItem | None:
    """An item with everything its page shows about the item itself (one query)."""
    return (
        WorkItem.objects.select_related(
            "brand",
            "submission__brand",
            "submission__place",
            "submission__author",
            "report__reporter",
            "appeal__appellant",
            "appeal__decision__decided_by",
            "appeal__report",
            "proof",
            "claimed_by",
            "excluded_moderator",
        )
        .filter(pk=item_id)
        .first()
    )


def get_submission(*, submission_id: int) -> Submission | None:
    return (
        Submission.objects.select_related("brand", "place", "author")
        .filter(pk=submission_id)
        .first()
    )


@dataclass(frozen=True)
class SubmissionRow:
    """Another piece of content, as the item page lists it: its state, its latest decision,
    the open item it waits in (if any) and, for near-duplicates, how similar it is."""

    submission: Submission
    latest_outcome: str
    latest_rule_code: str
    open_item_id: int | None
    similarity: float | None = None

    @property
    def latest_outcome_label(self) -> str:
        return str(Decision.Outcome(self.latest_outcome).label) if self.latest_outcome else ""


@dataclass(frozen=True)
class BrandDay:
    day: date
    per_star: tuple[int, ...]  # 1★ to 5★
    total: int
    new_accounts: int


@dataclass(frozen=True)
class BrandPattern:
    """A brand's recent submissions, per day and star, and how many came from new accounts
    (younger than NEW_ACCOUNT_AGE when they wrote): a one-sided burst shows here."""

    since: date
    days: list[BrandDay]

    @property
    def total(self) -> int:
        return sum(day.total for day in self.days)

    @property
    def new_accounts(self) -> int:
        return sum(day.new_accounts for day in self.days)

    @property
    def per_star(self) -> tuple[int, ...]:
        return tuple(sum(day.per_star[i] for day in self.days) for i in range(5))

    @property
    def new_account_share(self) -> float | None:
        return self.new_accounts / self.total if self.total else None


@dataclass(frozen=True)
class Dossier:
    """Everything a moderator reads before deciding on a piece of content."""

    submission: Submission
    signals: list[Signal]
    risk_explanation: list[str]
    decisions: list[Decision]
    reports: list[Report]
    appeals: list[Appeal]
    proofs: list[ProofRequest]
    work_items: list[WorkItem]
    author_submissions: list[SubmissionRow]
    same_network: list[SubmissionRow]
    same_device: list[SubmissionRow]
    near_duplicates: list[SubmissionRow]
    same_burst: list[SubmissionRow]
    brand_pattern: BrandPattern

    @property
    def related_ids(self) -> set[int]:
        """The content of the same cluster: same network, device, text or burst."""
        rows = (*self.same_network, *self.same_device, *self.near_duplicates, *self.same_burst)
        return {row.submission.pk for row in rows}


def get_dossier(*, submission: Submission, now: datetime | None = None) -> Dossier:
    """The item page's reads about one piece of content, each list bounded (RELATED_LIMIT):
    twelve queries whatever the size of the store."""
    now = now or timezone.now()
    decisions = list(submission.decisions.select_related("decided_by").order_by("id"))
    explained = [d for d in decisions if d.explanation]
    others = Submission.objects.exclude(pk=submission.pk)
    return Dossier(
        submission=submission,
        signals=list(submission.signals.all()),
        risk_explanation=list(explained[-1].explanation) if explained else [],
        decisions=decisions,
        reports=list(submission.reports.select_related("reporter", "decided_by").order_by("id")),
        appeals=list(
            submission.appeals.select_related(
                "appellant", "decided_by", "decision", "report"
            ).order_by("id")
        ),
        proofs=list(submission.proofs.select_related("requested_by").order_by("id")),
        work_items=list(submission.work_items.select_related("closed_by").order_by("id")),
        author_submissions=_rows(
            others.filter(author_id=submission.author_id).order_by("-submitted_at", "-pk")
        ),
        same_network=_rows(
            others.filter(network_hash=submission.network_hash).order_by("-submitted_at", "-pk")
        )
        if submission.network_hash
        else [],
        same_device=_rows(
            others.filter(device_hash=submission.device_hash).order_by("-submitted_at", "-pk")
        )
        if submission.device_hash
        else [],
        near_duplicates=_near_duplicates(submission),
        same_burst=_same_burst(submission),
        brand_pattern=get_brand_pattern(brand_id=submission.brand_id, now=now),
    )


def _rows(
    submissions: QuerySet[Submission], *, limit: int = RELATED_LIMIT, minhash: bool = False
) -> list[SubmissionRow]:
    """One query: the submissions with their brand, author, latest decision and open item."""
    latest = Decision.objects.filter(submission=OuterRef("pk")).order_by("-id")
    open_item = WorkItem.objects.filter(
        submission=OuterRef("pk"), state=WorkItem.State.OPEN
    ).order_by("priority", "due_at", "id")
    annotated = submissions.select_related("brand", "author").annotate(
        latest_outcome=Subquery(latest.values("outcome")[:1]),
        latest_rule_code=Subquery(latest.values("rule_code")[:1]),
        open_item_id=Subquery(open_item.values("pk")[:1]),
    )
    return [
        SubmissionRow(
            submission=sub,
            latest_outcome=sub.latest_outcome or "",  # type: ignore[attr-defined]
            latest_rule_code=sub.latest_rule_code or "",  # type: ignore[attr-defined]
            open_item_id=sub.open_item_id,  # type: ignore[attr-defined]
        )
        for sub in (annotated if minhash else annotated.defer("minhash"))[:limit]
    ]


def _near_duplicates(submission: Submission) -> list[SubmissionRow]:
    """Texts sharing an LSH band with this one (an index lookup; the most recent
    MAX_DUPLICATE_CANDIDATES), kept when their estimated similarity reaches
    DUPLICATE_SIMILARITY_THRESHOLD, the check's own threshold. One query."""
    if submission.minhash is None:
        return []
    own = similarity.from_bytes(submission.minhash)
    keys = TextBand.objects.filter(submission=submission).values("key")
    sharing = TextBand.objects.filter(key__in=keys).exclude(submission=submission)
    candidates = _rows(
        Submission.objects.filter(pk__in=sharing.values("submission_id")).order_by(
            "-submitted_at", "-pk"
        ),
        limit=MAX_DUPLICATE_CANDIDATES,
        minhash=True,
    )
    rows = []
    for row in candidates:
        if row.submission.minhash is None:  # indexed texts always have one
            continue
        score = similarity.similarity(own, similarity.from_bytes(row.submission.minhash))
        if score >= settings.DUPLICATE_SIMILARITY_THRESHOLD:
            rows.append(replace(row, similarity=score))
    rows.sort(key=lambda row: (-(row.similarity or 0), -row.submission.pk))
    return rows[:RELATED_LIMIT]


def scale_side(rating: int | None) -> tuple[int, ...]:
    """The ratings on the same side of the scale, as the burst check counts them: both ends
    alike, and a 3★ on neither side."""
    if rating is None or rating == 3:
        return ()
    return (4, 5) if rating >= 4 else (1, 2)


def _same_burst(submission: Submission) -> list[SubmissionRow]:
    """Same brand and kind, same side of the scale, within BURST_WINDOW either side."""
    side = scale_side(submission.rating)
    if not side:
        return []
    window = settings.BURST_WINDOW
    return _rows(
        Submission.objects.exclude(pk=submission.pk)
        .filter(
            brand_id=submission.brand_id,
            kind=submission.kind,
            rating__in=side,
            submitted_at__gte=submission.submitted_at - window,
            submitted_at__lte=submission.submitted_at + window,
        )
        .order_by("submitted_at", "pk")
    )


def get_brand_pattern(*, brand_id: int, now: datetime | None = None) -> BrandPattern:
    """The brand's submissions of the last BRAND_PATTERN_DAYS days, per day (site time zone)
    and star, with those from new accounts. One query, aggregated by the database."""
    now = now or timezone.now()
    since = timezone.localdate(now) - timedelta(days=BRAND_PATTERN_DAYS - 1)
    start = datetime.combine(since, time.min, tzinfo=timezone.get_default_timezone())
    is_new = Q(
        submitted_at__lt=ExpressionWrapper(
            F("author_joined_at") + Value(settings.NEW_ACCOUNT_AGE),
            output_field=DateTimeField(),
        )
    )
    rows = (
        Submission.objects.filter(brand_id=brand_id, submitted_at__gte=start, submitted_at__lte=now)
        .annotate(day=TruncDate("submitted_at"))
        .order_by()
        .values_list("day", "rating")
        .annotate(n=Count("pk"), new=Count("pk", filter=is_new))
    )
    per_day: dict[date, list[int]] = defaultdict(lambda: [0] * 7)  # 1..5, no rating, new
    for day, rating, n, new in rows:
        counts = per_day[day]
        counts[rating if rating in (1, 2, 3, 4, 5) else 0] += n
        counts[6] += new
    return BrandPattern(
        since=since,
        days=[
            BrandDay(
                day=day,
                per_star=tuple(counts[1:6]),
                total=sum(counts[0:6]),
                new_accounts=counts[6],
            )
            for day, counts in sorted(per_day.items(), reverse=True)
        ],
    )


def list_cluster_items(
    *, moderator: User, item: WorkItem, submission_ids: set[int], now: datetime | None = None
) -> list[WorkItem]:
    """The open items of this content and of its cluster that this moderator may take: the
    candidates of a bulk decision (each one is still decided, and checked, on its own)."""
    return list(
        list_queue(moderator=moderator, now=now)
        .filter(Q(pk=item.pk) | Q(submission_id__in=submission_ids))
        .select_related("brand", "submission")
        .defer("submission__minhash")[: RELATED_LIMIT * 4]
    )


# MEASURES (operators)
# ------------------------------------------------------------------------------

FINAL_OUTCOMES = (
    Decision.Outcome.PUBLISH,
    Decision.Outcome.LABEL,
    Decision.Outcome.VERIFY,
    Decision.Outcome.REJECT,
    Decision.Outcome.REMOVE,
)


@dataclass(frozen=True)
class DelayStats:
    """Nearest-rank percentiles (always an observed delay) and the maximum."""

    count: int
    p50: timedelta | None
    p90: timedelta | None
    maximum: timedelta | None

    @classmethod
    def of(cls, delays: list[timedelta]) -> "DelayStats":
        ordered = sorted(delays)

        def rank(p: int) -> timedelta | None:
            if not ordered:
                return None
            return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]

        return cls(
            count=len(ordered),
            p50=rank(50),
            p90=rank(90),
            maximum=ordered[-1] if ordered else None,
        )


@dataclass(frozen=True)
class ModerationMeasures:
    since: datetime
    until: datetime
    by_item_kind: dict[str, DelayStats]
    by_rating: dict[int | None, DelayStats]
    by_path: dict[str, DelayStats]  # "automated", "human"


def get_moderation_measures(*, since: datetime, until: datetime) -> ModerationMeasures:
    """Moderation delays of the decisions taken in [since, until), in two queries.

    - Per rating and per decision path: from the content's submission to its first final
      decision (publish, label, verify, reject, remove), automated (the pipeline) or human.
      Later decisions (a removal after a report, an appeal) are not moderation delays.
    - Per kind of work item: from what was submitted (the content for a review sent to a
      moderator; the report, flag, appeal or proof otherwise) to the item's close.
    """
    earlier_final = Decision.objects.filter(
        submission=OuterRef("submission"), outcome__in=FINAL_OUTCOMES, pk__lt=OuterRef("pk")
    )
    firsts = (
        Decision.objects.filter(
            decided_at__gte=since, decided_at__lt=until, outcome__in=FINAL_OUTCOMES
        )
        .exclude(Exists(earlier_final))
        .values_list("decided_at", "submission__submitted_at", "submission__rating", "decided_by")
    )
    by_rating: dict[int | None, list[timedelta]] = {rating: [] for rating in (1, 2, 3, 4, 5)}
    by_path: dict[str, list[timedelta]] = {"automated": [], "human": []}
    for decided_at, submitted_at, rating, decided_by in firsts:
        delay = max(timedelta(0), decided_at - submitted_at)
        by_rating.setdefault(rating, []).append(delay)
        by_path["automated" if decided_by is None else "human"].append(delay)
    by_kind: dict[str, list[timedelta]] = {kind: [] for kind in WorkItem.Kind.values}
    for kind, created_at, closed_at, submitted_at in WorkItem.objects.filter(
        state=WorkItem.State.DONE, closed_at__gte=since, closed_at__lt=until
    ).values_list("kind", "created_at", "closed_at", "submission__submitted_at"):
        start = submitted_at if kind == WorkItem.Kind.REVIEW else created_at
        if closed_at is not None:  # always, for a done item
            by_kind[kind].append(max(timedelta(0), closed_at - start))
    return ModerationMeasures(
        since=since,
        until=until,
        by_item_kind={kind: DelayStats.of(delays) for kind, delays in by_kind.items()},
        by_rating={rating: DelayStats.of(delays) for rating, delays in by_rating.items()},
        by_path={path: DelayStats.of(delays) for path, delays in by_path.items()},
    )


def get_report(*, report_id: int) -> Report | None:
    return Report.objects.select_related("submission__brand").filter(pk=report_id).first()


def list_proof_events(*, kind: str, object_id: str) -> QuerySet[AuditEvent]:
    """The audit events of the proofs of experience asked for one piece of content (requested,
    uploaded, examined), oldest first; one query. Their actors and details are internal."""
    proof_ids = (
        ProofRequest.objects.filter(submission__kind=kind, submission__object_id=str(object_id))
        .annotate(pk_text=Cast("pk", output_field=CharField()))
        .values("pk_text")
    )
    return AuditEvent.objects.filter(
        object_type=ProofRequest._meta.label_lower, object_id__in=proof_ids
    ).order_by("id")
