"""The brand's figures (issue 6): reads for the dashboard of a brand's members.

Everything is counted over a period of whole calendar months (Europe/Paris time, like the
ratings), 12 by default, 24 at most, and read in five queries whatever the brand's size:

1. the rating counters (`RatingBucket`, kept by reviews.ratings): per month, the reviews
   published that month and still published (count, mean) and the reviews received; the same
   per place and per channel. Nothing recounts reviews;
2. the brand's places (their names);
3. one row per review published in the period and still published: its publication time, the
   first publication of its reply, its "would you recommend" answer, its rating and whether it
   came from an invitation. This gives the reply rate and delay, the NPS, and the invited vs
   spontaneous figures;
4. the title and text of the newest published reviews of the period (at most
   `THEME_SAMPLE_SIZE`), for the themes;
5. the invitations sent in the period and how many led to a review, per month.

What a member sees is aggregate only: no reviewer's email, name or network, no moderation
evidence, and never which customer wrote which review.
"""

import csv
import io
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Invitation, Place
from config.errors import ApplicationError
from reviews.models import RatingBucket, Review
from reviews.ratings import STARS, mean_of, month_of, rating_timezone
from reviews.selectors import InvitationShare

DEFAULT_MONTHS = 12
MAX_MONTHS = 24
# Themes: the newest reviews read, the number of themes shown per star, and how many reviews
# must mention a word (or pair of words) for it to be a theme.
THEME_SAMPLE_SIZE = 2000
THEMES_PER_RATING = 10
THEME_MIN_REVIEWS = 2
NO_PLACE = ""


# THE PERIOD
# ------------------------------------------------------------------------------


class InvalidPeriod(ApplicationError):
    code = "invalid_period"


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class DashboardPeriod:
    """Whole calendar months, from `start` to `end` included (both the first of a month)."""

    start: date
    end: date

    @property
    def months(self) -> list[date]:
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return [_add_months(self.start, i) for i in range(count)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[since, until): midnight on the first day, and on the day after the last month."""
        tz = rating_timezone()
        return (
            datetime.combine(self.start, time(), tzinfo=tz),
            datetime.combine(_add_months(self.end, 1), time(), tzinfo=tz),
        )

    def query(self) -> str:
        return f"start={self.start:%Y-%m}&end={self.end:%Y-%m}"


MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def _parse_month(value: str, *, name: str) -> date:
    match = MONTH_PATTERN.match(value.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise InvalidPeriod(
            _("Give a month as YYYY-MM, for example 2026-01."), field=name, code="invalid_month"
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_period(
    *, start: str | None = None, end: str | None = None, today: date | None = None
) -> DashboardPeriod:
    """The period asked for (months as YYYY-MM); by default the last `DEFAULT_MONTHS` months,
    the current one included. Raises InvalidPeriod (400) with the field at fault."""
    today = today or timezone.now().astimezone(rating_timezone()).date()
    current = today.replace(day=1)
    last = _parse_month(end, name="end") if end else current
    first = _parse_month(start, name="start") if start else _add_months(last, 1 - DEFAULT_MONTHS)
    if last > current:
        raise InvalidPeriod(_("The period cannot end after the current month."), field="end")
    if first > last:
        raise InvalidPeriod(_("The first month comes after the last one."), field="start")
    if (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
        raise InvalidPeriod(
            _("A period covers %(max)d months at most.") % {"max": MAX_MONTHS}, field="start"
        )
    return DashboardPeriod(start=first, end=last)


# THE FIGURES
# ------------------------------------------------------------------------------


@dataclass
class RatingFigures:
    """Reviews published (and still published) in the period or month, their mean, and the
    reviews received in it, whatever became of them."""

    key: str
    label: str
    published: int = 0
    stars_total: int = 0
    received: int = 0

    @property
    def mean(self) -> Decimal | None:
        return mean_of(self.stars_total, self.published)

    def add(self, *, rating: int, published: int, received: int) -> None:
        self.published += published
        self.stars_total += rating * published
        self.received += received


@dataclass
class MonthFigures(RatingFigures):
    month: date = date.min
    replied: int = 0  # of the reviews published that month, those with a published reply

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.published if self.published else None


@dataclass(frozen=True)
class ReplyFigures:
    published: int  # reviews published in the period (and still published)
    replied: int  # of which the brand's reply was published
    median_delay_seconds: float | None  # review published -> reply first published

    @property
    def rate(self) -> float | None:
        return self.replied / self.published if self.published else None


@dataclass(frozen=True)
class NpsFigures:
    """Net Promoter Score from "would you recommend" (0-10) of published reviews: promoters
    (9-10) minus detractors (0-6), in percent of the answers."""

    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> int | None:
        if not self.answers:
            return None
        value = Decimal(100 * (self.promoters - self.detractors)) / Decimal(self.answers)
        return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Theme:
    term: str
    reviews: int  # number of reviews that mention it


@dataclass(frozen=True)
class RatingThemes:
    rating: int
    reviews_read: int
    themes: list[Theme]


@dataclass(frozen=True)
class InvitationMonth:
    month: date
    sent: int
    reviewed: int


@dataclass(frozen=True)
class InvitationFigures:
    sent: int  # invitations first sent in the period
    reviewed: int  # of which the customer wrote a review
    by_month: list[InvitationMonth]
    invited_reviews: int  # published reviews of the period written from an invitation
    invited_stars: int
    spontaneous_reviews: int
    spontaneous_stars: int

    @property
    def conversion(self) -> float | None:
        return self.reviewed / self.sent if self.sent else None

    @property
    def invited_share(self) -> float | None:
        total = self.invited_reviews + self.spontaneous_reviews
        return self.invited_reviews / total if total else None

    @property
    def invited_mean(self) -> Decimal | None:
        return mean_of(self.invited_stars, self.invited_reviews)

    @property
    def spontaneous_mean(self) -> Decimal | None:
        return mean_of(self.spontaneous_stars, self.spontaneous_reviews)

    @property
    def share(self) -> InvitationShare:
        """The same figures as the invitations page shows over the rating period, so that the
        gap and its alert are computed the same way on both pages."""
        return InvitationShare(
            period_start=date.min,
            invited=self.invited_reviews,
            invited_stars=self.invited_stars,
            spontaneous=self.spontaneous_reviews,
            spontaneous_stars=self.spontaneous_stars,
        )

    @property
    def rating_gap(self) -> Decimal | None:
        """Invited mean minus spontaneous mean (the displayed means), in stars."""
        return self.share.gap

    @property
    def gating_signal(self) -> bool:
        """INVITATION_GAP_ALERT stars or more in favour of invited reviews, each side with at
        least INVITATION_GAP_MIN_REVIEWS reviews: what inviting only happy customers looks
        like (FTC-2)."""
        return self.share.gap_alert


@dataclass(frozen=True)
class BrandDashboard:
    brand_id: int
    period: DashboardPeriod
    overall: RatingFigures
    by_month: list[MonthFigures]
    by_place: list[RatingFigures]
    by_channel: list[RatingFigures]
    replies: ReplyFigures
    nps: NpsFigures
    themes: list[RatingThemes]
    invitations: InvitationFigures
    theme_sample_size: int = field(default=THEME_SAMPLE_SIZE)

    def rows(self) -> Iterator[tuple[str, str, str, str]]:
        """(table, dimension, figure, value): every figure of the page, for the CSV."""
        for m in self.by_month:
            key = f"{m.month:%Y-%m}"
            yield from _rating_rows("rating_by_month", key, m)
            yield "replies_by_month", key, "replied", str(m.replied)
            yield "replies_by_month", key, "reply_rate", _number(m.reply_rate)
        for table, slices in (
            ("rating_by_place", self.by_place),
            ("rating_by_channel", self.by_channel),
        ):
            for s in slices:
                yield from _rating_rows(table, s.key or "none", s)
        yield from _rating_rows("rating_overall", "all", self.overall)
        r = self.replies
        yield "replies", "all", "published_reviews", str(r.published)
        yield "replies", "all", "replied", str(r.replied)
        yield "replies", "all", "reply_rate", _number(r.rate)
        yield "replies", "all", "median_delay_hours", _number(_hours(r.median_delay_seconds))
        n = self.nps
        for name in ("answers", "promoters", "passives", "detractors"):
            yield "nps", "all", name, str(getattr(n, name))
        yield "nps", "all", "nps", "" if n.score is None else str(n.score)
        for group in self.themes:
            yield "themes", f"{group.rating}", "reviews_read", str(group.reviews_read)
            for theme in group.themes:
                yield "themes", f"{group.rating}", theme.term, str(theme.reviews)
        i = self.invitations
        for month in i.by_month:
            yield "invitations_by_month", f"{month.month:%Y-%m}", "sent", str(month.sent)
            yield "invitations_by_month", f"{month.month:%Y-%m}", "reviewed", str(month.reviewed)
        yield "invitations", "all", "sent", str(i.sent)
        yield "invitations", "all", "reviewed", str(i.reviewed)
        yield "invitations", "all", "conversion", _number(i.conversion)
        yield "invitations", "invited", "published", str(i.invited_reviews)
        yield "invitations", "invited", "mean", _decimal(i.invited_mean)
        yield "invitations", "spontaneous", "published", str(i.spontaneous_reviews)
        yield "invitations", "spontaneous", "mean", _decimal(i.spontaneous_mean)
        yield "invitations", "all", "invited_share", _number(i.invited_share)
        yield "invitations", "all", "rating_gap", _decimal(i.rating_gap)
        yield "invitations", "all", "gating_signal", "1" if i.gating_signal else "0"

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("table", "dimension", "figure", "value"))
        writer.writerows(self.rows())
        return out.getvalue()


def _rating_rows(
    table: str, key: str, figures: RatingFigures
) -> Iterator[tuple[str, str, str, str]]:
    yield table, key, "published", str(figures.published)
    yield table, key, "mean", _decimal(figures.mean)
    yield table, key, "received", str(figures.received)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _decimal(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


# THE SELECTOR
# ------------------------------------------------------------------------------


def get_brand_dashboard(
    *, brand_id: int, brand_name: str, period: DashboardPeriod
) -> BrandDashboard:
    """Every figure of the brand's dashboard over `period`: five queries."""
    since, until = period.bounds()
    months = period.months
    by_month = {m: MonthFigures(key=f"{m:%Y-%m}", label=f"{m:%Y-%m}", month=m) for m in months}
    overall = RatingFigures(key="all", label=str(_("All reviews")))
    places: dict[int | None, RatingFigures] = {
        pk: RatingFigures(key=str(pk), label=name)
        for pk, name in Place.objects.filter(brand_id=brand_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    }
    channels: dict[str, RatingFigures] = {}
    buckets = (
        RatingBucket.objects.filter(
            brand_id=brand_id, month__gte=period.start, month__lte=period.end
        )
        .values("month", "place_id", "channel", "rating")
        .annotate(published=Sum("published"), received=Sum("received"))
        .order_by()
    )
    for row in buckets:
        figures = {
            "rating": row["rating"],
            "published": row["published"],
            "received": row["received"],
        }
        by_month[row["month"]].add(**figures)
        overall.add(**figures)
        if row["place_id"] not in places:
            places[row["place_id"]] = RatingFigures(key=NO_PLACE, label=str(_("No place given")))
        places[row["place_id"]].add(**figures)
        channel = row["channel"]
        if channel not in channels:
            channels[channel] = RatingFigures(key=channel, label=str(Review.Channel(channel).label))
        channels[channel].add(**figures)

    published = Review.objects.filter(
        brand_id=brand_id,
        status=Review.Status.PUBLISHED,
        published_at__gte=since,
        published_at__lt=until,
    )
    delays: list[float] = []
    nps: Counter[str] = Counter()
    stars: Counter[str] = Counter()
    count: Counter[str] = Counter()
    replied = 0
    rows = published.values_list(
        "published_at", "reply__first_published_at", "recommend_score", "rating", "invitation_id"
    ).order_by()
    for published_at, reply_published_at, recommend, rating, invitation_id in rows:
        if published_at is None:  # never: the filter requires it; for the type checker
            continue
        group = "invited" if invitation_id is not None else "spontaneous"
        count[group] += 1
        stars[group] += rating
        if reply_published_at is not None:
            replied += 1
            by_month[month_of(published_at)].replied += 1
            delays.append(max(0.0, (reply_published_at - published_at).total_seconds()))
        if recommend is not None:
            nps["answers"] += 1
            nps[
                "promoters" if recommend >= 9 else "detractors" if recommend <= 6 else "passives"
            ] += 1

    texts = published.order_by("-published_at", "-id").values_list("rating", "title", "text")[
        :THEME_SAMPLE_SIZE
    ]
    themes = _themes(texts, extra_stop_words=set(_tokens(brand_name)))

    return BrandDashboard(
        brand_id=brand_id,
        period=period,
        overall=overall,
        by_month=[by_month[m] for m in months],
        by_place=[f for f in places.values() if f.key != NO_PLACE]
        + [f for f in places.values() if f.key == NO_PLACE],
        by_channel=[channels[c] for c in Review.Channel.values if c in channels],
        replies=ReplyFigures(
            published=count.total(),
            replied=replied,
            median_delay_seconds=statistics.median(delays) if delays else None,
        ),
        nps=NpsFigures(
            answers=nps["answers"],
            promoters=nps["promoters"],
            passives=nps["passives"],
            detractors=nps["detractors"],
        ),
        themes=themes,
        invitations=_invitations(brand_id=brand_id, period=period, stars=stars, count=count),
    )


def _invitations(
    *, brand_id: int, period: DashboardPeriod, stars: Counter[str], count: Counter[str]
) -> InvitationFigures:
    since, until = period.bounds()
    tz = rating_timezone()
    sent: dict[date, list[int]] = {m: [0, 0] for m in period.months}
    rows = (
        Invitation.objects.filter(brand_id=brand_id, sent_at__gte=since, sent_at__lt=until)
        .annotate(sent_month=TruncMonth("sent_at", tzinfo=tz))
        .values("sent_month")
        .annotate(sent=Count("pk"), reviewed=Count("pk", filter=Q(reviewed_at__isnull=False)))
        .order_by()
    )
    for row in rows:
        month = row["sent_month"].astimezone(tz).date().replace(day=1)
        sent[month][0] += row["sent"]
        sent[month][1] += row["reviewed"]
    by_month = [InvitationMonth(month=m, sent=s, reviewed=r) for m, (s, r) in sent.items()]
    return InvitationFigures(
        sent=sum(m.sent for m in by_month),
        reviewed=sum(m.reviewed for m in by_month),
        by_month=by_month,
        invited_reviews=count["invited"],
        invited_stars=stars["invited"],
        spontaneous_reviews=count["spontaneous"],
        spontaneous_stars=stars["spontaneous"],
    )


# THEMES
# ------------------------------------------------------------------------------
# The words (and pairs of adjacent words) most often found in the reviews of each star rating,
# counted once per review, after removing French and English stop words: explainable, no model.

_FRENCH_STOP_WORDS = """
alors au aucun aucune aussi autre autres aux avant avec avez avoir avons ayant bien
car ce ceci cela celle celles celui cependant ces cet cette ceux chaque chez comme comment
dans des donc dont du elle elles en encore entre est et étaient était étant été être eu eux
fait faire fais font fut hors ici il ils je jusqu la le les leur leurs lui là ma mais me
même mes moi moins mon ne ni nos notre nous on ont ou où par parce pas peu peut plus pour
pourquoi puis quand que quel quelle quelles quels qui quoi sa sans se ses si sien son sont
sous suis sur ta te tes toi ton tous tout toute toutes très trop tu un une vers via voici
voilà vos votre vous vu ça déjà été avis chose choses fois jour jours merci après avant
peux veux vraiment ensuite depuis rien tant tel telle chez aux ceux celle qu lors selon
ai as avais avait avaient aurait serait sera seront sommes êtes etc
"""
_ENGLISH_STOP_WORDS = """
a about above after again against all am an and any are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don
down during each few for from further had hadn has hasn have haven having he her here hers
herself him himself his how i if in into is isn it its itself just let me more most my
myself no nor not now of off on once only or other our ours ourselves out over own same
she should so some such than that the their theirs them themselves then there these they
this those through to too under until up very was wasn we were weren what when where which
while who whom why will with won would wouldn you your yours yourself yourselves also get
got one really review reviews thing things time times visit
"""
STOP_WORDS = frozenset(_FRENCH_STOP_WORDS.split()) | frozenset(_ENGLISH_STOP_WORDS.split())
MIN_WORD_LENGTH = 3
SEGMENTS = re.compile(r"[.!?;:,()\[\]«»\"\n\r/]+")
WORDS = re.compile(r"[^\W\d_]+")


def _tokens(text: str) -> list[str]:
    return [word for word in WORDS.findall(text.lower())]


def _terms(text: str, *, stop_words: frozenset[str] | set[str]) -> set[str]:
    """The meaningful words of a text and the pairs of them that stand next to each other
    within a sentence part (a pair never spans a stop word or punctuation)."""
    terms: set[str] = set()
    for segment in SEGMENTS.split(text):
        previous: str | None = None
        for word in _tokens(segment):
            if len(word) < MIN_WORD_LENGTH or word in STOP_WORDS or word in stop_words:
                previous = None
                continue
            terms.add(word)
            if previous is not None:
                terms.add(f"{previous} {word}")
            previous = word
    return terms


def _themes(
    texts: Iterable[tuple[int, str, str]], *, extra_stop_words: set[str]
) -> list[RatingThemes]:
    """Per star, from 5 to 1: the terms found in at least THEME_MIN_REVIEWS reviews, most
    frequent first (a pair before a word at equal count, then alphabetical); a word is left out
    when a pair containing it is found in as many reviews (the pair says more)."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    read: Counter[int] = Counter()
    for rating, title, text in texts:
        read[rating] += 1
        counts[rating].update(_terms(f"{title}. {text}", stop_words=extra_stop_words))
    result = []
    for rating in STARS:
        frequent = {t: n for t, n in counts[rating].items() if n >= THEME_MIN_REVIEWS}
        covered = {
            word
            for term, n in frequent.items()
            if " " in term
            for word in term.split()
            if frequent.get(word) == n
        }
        ranked = sorted(
            ((t, n) for t, n in frequent.items() if t not in covered),
            key=lambda item: (-item[1], " " not in item[0], item[0]),
        )
        result.append(
            RatingThemes(
                rating=rating,
                reviews_read=read[rating],
                themes=[Theme(term=t, reviews=n) for t, n in ranked[:THEMES_PER_RATING]],
            )
        )
    return result
