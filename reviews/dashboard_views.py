"""The brand's figures (issue 6), for its members (owner, manager, agent): a page of charts drawn
on the server with a table for each, and the same figures as CSV. Reads in reviews.dashboard.

Only the brand's members read it; moderators and operators get a 403 like anyone else: they
read the platform's figures in the transparency report and the moderator workspace, and a
brand's business figures are the brand's."""

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from brands.models import Brand
from brands.selectors import get_brand, is_brand_member
from config.requests import authenticated_user
from moderation.charts import Bar, bar_chart
from reviews.dashboard import (
    MAX_MONTHS,
    BrandDashboard,
    InvalidPeriod,
    MonthFigures,
    RatingFigures,
    get_brand_dashboard,
    parse_period,
)


class DashboardPeriodForm(forms.Form):
    start = forms.CharField(
        label=gettext_lazy("First month (YYYY-MM)"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    end = forms.CharField(
        label=gettext_lazy("Last month (YYYY-MM, included)"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        try:
            self.period = parse_period(start=data.get("start"), end=data.get("end"))
        except InvalidPeriod as error:
            self.add_error(error.field, str(error.message))
        return data


def member_brand(request: HttpRequest, slug: str) -> Brand:
    """The brand, if the user is one of its members (404 for no brand, 403 for the others)."""
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    if not is_brand_member(user_id=authenticated_user(request).pk, brand_id=brand.pk):
        raise PermissionDenied
    return brand


def _dashboard(
    request: HttpRequest, slug: str
) -> tuple[Brand, DashboardPeriodForm, BrandDashboard | None]:
    brand = member_brand(request, slug)
    form = DashboardPeriodForm(request.GET)
    if not form.is_valid():
        return brand, form, None
    return (
        brand,
        form,
        get_brand_dashboard(brand_id=brand.pk, brand_name=brand.name, period=form.period),
    )


@login_required
@require_GET
def brand_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    brand, form, dashboard = _dashboard(request, slug)
    context: dict[str, object] = {
        "brand": brand,
        "form": form,
        "dashboard": dashboard,
        "max_months": MAX_MONTHS,
    }
    if dashboard is not None:
        query = dashboard.period.query()
        context |= {
            "charts": _charts(dashboard),
            "csv_url": f"{reverse('reviews:brand-dashboard-csv', args=[brand.slug])}?{query}",
            "json_url": f"{reverse('api-brand-dashboard', args=[brand.slug])}?{query}",
            "median_delay": _hours(dashboard.replies.median_delay_seconds),
            "gating_gap": settings.INVITATION_GAP_ALERT,
        }
    return render(
        request, "reviews/dashboard.html", context, status=400 if dashboard is None else 200
    )


@login_required
@require_GET
def brand_dashboard_csv(request: HttpRequest, slug: str) -> HttpResponse:
    brand, form, dashboard = _dashboard(request, slug)
    if dashboard is None:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return HttpResponse(
            "\n".join(errors) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    return csv_response(dashboard, slug=brand.slug)


def csv_response(dashboard: BrandDashboard, *, slug: str) -> HttpResponse:
    response = HttpResponse(dashboard.as_csv(), content_type="text/csv; charset=utf-8")
    period = dashboard.period
    name = f"voix-{slug}-figures-{period.start:%Y-%m}-{period.end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# CHARTS: each names its figures in its description; the page repeats them in a table.


def month_label(figures: MonthFigures) -> str:
    return date_format(figures.month, "YEAR_MONTH_FORMAT")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{number_format(value * 100, 1)} %"


def _mean(value: Decimal | None) -> str:
    return "—" if value is None else number_format(value, 1)


def _hours(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return _("%(value)s min") % {"value": number_format(seconds / 60, 1)}
    return _("%(value)s h") % {"value": number_format(seconds / 3600, 1)}


def _rating_value(figures: RatingFigures) -> str:
    return _("%(mean)s (%(count)d)") % {
        "mean": _mean(figures.mean),
        "count": figures.published,
    }


def _rating_chart(
    *, chart_id: str, title: str, rows: Sequence[tuple[str, RatingFigures]]
) -> SafeString:
    return bar_chart(
        chart_id=chart_id,
        title=title,
        description=_(
            "Mean rating out of 5 and, in brackets, number of published reviews: %(figures)s."
        )
        % {"figures": "; ".join(f"{label} {_rating_value(f)}" for label, f in rows) or "—"},
        bars=[(Bar(label, float(f.mean or 0), _rating_value(f))) for label, f in rows],
        scale_max=5,
    )


def _charts(dashboard: BrandDashboard) -> dict[str, SafeString]:
    months = [(month_label(m), m) for m in dashboard.by_month]
    most_received = max([m.received for m in dashboard.by_month] + [1])
    nps = dashboard.nps
    nps_bars = [
        (_("Promoters (9–10)"), nps.promoters),
        (_("Passives (7–8)"), nps.passives),
        (_("Detractors (0–6)"), nps.detractors),
    ]
    invitations = dashboard.invitations
    return {
        "rating": _rating_chart(
            chart_id="chart-rating-month", title=_("Mean rating per month"), rows=months
        ),
        "volume": bar_chart(
            chart_id="chart-volume",
            title=_("Reviews received per month"),
            description=_("Reviews received each month: %(figures)s.")
            % {"figures": "; ".join(f"{label} {m.received}" for label, m in months)},
            bars=[Bar(label, m.received, str(m.received)) for label, m in months],
            scale_max=most_received,
        ),
        "places": _rating_chart(
            chart_id="chart-rating-place",
            title=_("Mean rating per place"),
            rows=[(f.label, f) for f in dashboard.by_place],
        ),
        "channels": _rating_chart(
            chart_id="chart-rating-channel",
            title=_("Mean rating per channel"),
            rows=[(f.label, f) for f in dashboard.by_channel],
        ),
        "replies": bar_chart(
            chart_id="chart-replies",
            title=_("Share of the reviews published each month that have a published reply"),
            description=_("Reply rate per month of publication: %(figures)s.")
            % {"figures": "; ".join(f"{label} {_percent(m.reply_rate)}" for label, m in months)},
            bars=[Bar(label, m.reply_rate or 0.0, _percent(m.reply_rate)) for label, m in months],
            scale_max=1,
        ),
        "nps": bar_chart(
            chart_id="chart-nps",
            title=_("Answers to “would you recommend”"),
            description=_("%(figures)s; NPS %(score)s out of %(answers)d answers.")
            % {
                "figures": "; ".join(f"{label} {n}" for label, n in nps_bars),
                "score": "—" if nps.score is None else nps.score,
                "answers": nps.answers,
            },
            bars=[Bar(label, n, str(n)) for label, n in nps_bars],
            scale_max=max(nps.promoters, nps.passives, nps.detractors, 1),
        ),
        "invitations": bar_chart(
            chart_id="chart-invitations",
            title=_("Invitations sent and reviews written from them"),
            description=_("Invitations sent %(sent)d, reviews written from them %(reviewed)d.")
            % {"sent": invitations.sent, "reviewed": invitations.reviewed},
            bars=[
                Bar(_("Invitations sent"), invitations.sent, str(invitations.sent)),
                Bar(_("Reviews written"), invitations.reviewed, str(invitations.reviewed)),
            ],
            scale_max=max(invitations.sent, 1),
        ),
        "gap": _rating_chart(
            chart_id="chart-invited",
            title=_("Mean rating of invited and spontaneous reviews"),
            rows=[
                (
                    _("Invited"),
                    RatingFigures(
                        key="invited",
                        label="",
                        published=invitations.invited_reviews,
                        stars_total=invitations.invited_stars,
                    ),
                ),
                (
                    _("Spontaneous"),
                    RatingFigures(
                        key="spontaneous",
                        label="",
                        published=invitations.spontaneous_reviews,
                        stars_total=invitations.spontaneous_stars,
                    ),
                ),
            ],
        ),
    }
