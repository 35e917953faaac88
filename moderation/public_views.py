"""Public information pages and the transparency report: generated from the settings, the rule
registry, the conformance report and the engine's records (FR-1, FR-9..16, NF-RES-3, FTC-6,
ISO-GEN-1..3, EU-4, DSA-28)."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from brands.models import Brand
from brands.selectors import get_brand_by_id
from moderation.charts import Bar, bar_chart
from moderation.information import (
    PRINCIPLES,
    how_reviews_work_facts,
    load_conformance,
    rating_method_facts,
)
from moderation.models import Report
from moderation.rules import RULES, RULESET_VERSION
from moderation.transparency import (
    InvalidPeriod,
    TransparencyReport,
    compute_transparency,
    make_period,
)


def _language() -> str:
    return translation.get_language() or "fr"


@require_GET
def how_reviews_work(request: HttpRequest) -> HttpResponse:
    facts = how_reviews_work_facts(language=_language())
    return render(
        request, "moderation/how_reviews_work.html", {**facts, "version": RULESET_VERSION}
    )


@require_GET
def rating_method(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/rating_method.html", rating_method_facts())


@require_GET
def independence(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/independence.html")


@require_GET
def commitments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "moderation/commitments.html",
        {"conformance": load_conformance(), "principles": PRINCIPLES},
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # Set by the link of a brand page: the report of that brand's reviews only. Hidden, so that
    # choosing another period keeps the brand.
    brand_id = forms.IntegerField(
        label=gettext_lazy("Brand"), required=False, min_value=1, widget=forms.HiddenInput
    )

    def hidden_errors(self) -> list[str]:
        """Errors of hidden fields: shown with the form's own errors, having no field to sit by."""
        return [
            f"{field.label}: {error}" for field in self.hidden_fields() for error in field.errors
        ]


def _report_from(
    request: HttpRequest,
) -> tuple[PeriodForm, TransparencyReport | None, Brand | None]:
    """The form (bound to the query), the report and its brand if any; no report with the form's
    errors set."""
    form = PeriodForm(request.GET or None)
    valid = not request.GET or form.is_valid()
    data = form.cleaned_data if request.GET else {}  # the valid fields only
    brand = None
    if data.get("brand_id") is not None:
        brand = get_brand_by_id(brand_id=data["brand_id"])
        if brand is None:
            form.add_error(None, _("No brand has the number %(id)d.") % {"id": data["brand_id"]})
            return form, None, None
    if not valid:
        return form, None, brand
    try:
        period = make_period(start=data.get("start"), end=data.get("end"))
    except InvalidPeriod as error:
        form.add_error(None, str(error))
        return form, None, brand
    return form, compute_transparency(period=period, brand_id=brand.pk if brand else None), brand


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    form, report, brand = _report_from(request)
    context: dict[str, object] = {"form": form, "report": report, "brand": brand, "rules": RULES}
    if report is not None:
        query = report.query()
        context |= {
            "charts": _charts(report),
            "rule_rows": report.rejections_per_rule(language=_language()),
            "report_rows": [
                {"label": Report.Source(figures.source).label, **vars(figures)}
                for figures in report.notices
            ],
            "delay_hours": {
                "p50": _hours(report.delays.percentiles[50]),
                "p90": _hours(report.delays.percentiles[90]),
                "p99": _hours(report.delays.percentiles[99]),
                "max": _hours(report.delays.maximum),
                "stated": _hours(report.delays.stated_maximum),
            },
            "reply_delay_hours": {
                "p50": _hours(report.replies.delays.percentiles[50]),
                "p90": _hours(report.replies.delays.percentiles[90]),
                "p99": _hours(report.replies.delays.percentiles[99]),
                "max": _hours(report.replies.delays.maximum),
                "stated": _hours(report.replies.delays.stated_maximum),
            },
            "csv_url": f"{reverse('transparency-csv')}?{query}",
            "json_url": f"{reverse('api-transparency')}?{query}",
            "all_brands_url": f"{reverse('transparency')}?{report.query(with_brand=False)}",
        }
    return render(
        request, "moderation/transparency.html", context, status=400 if report is None else 200
    )


@require_GET
def transparency_csv(request: HttpRequest) -> HttpResponse:
    form, report, _brand = _report_from(request)
    if report is None:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return HttpResponse(
            "\n".join(errors) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(report.as_csv(), content_type="text/csv; charset=utf-8")
    brand_part = "" if report.brand_id is None else f"-brand-{report.brand_id}"
    name = f"voix-transparency{brand_part}-{report.period.start}-{report.period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{number_format(value * 100, 1)} %"


def _hours(seconds: float | None) -> str:
    """A delay in the unit that keeps it readable: seconds, minutes or hours."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return _("%(value)s s") % {"value": number_format(seconds, 1)}
    if seconds < 3600:
        return _("%(value)s min") % {"value": number_format(seconds / 60, 1)}
    return _("%(value)s h") % {"value": number_format(seconds / 3600, 1)}


def _charts(report: TransparencyReport) -> dict[str, object]:
    star = _("%(count)d★")
    rates = [figures.rejection_rate or 0.0 for figures in report.by_rating]
    rejection = bar_chart(
        chart_id="chart-rejection-rate",
        title=_("Rejection rate per star rating"),
        description=_(
            "Share of decided reviews that were rejected, for each star rating: %(figures)s."
        )
        % {
            "figures": ", ".join(
                f"{star % {'count': f.rating}} {_percent(f.rejection_rate)}"
                for f in report.by_rating
            )
        },
        bars=[
            Bar(star % {"count": f.rating}, rate, _percent(f.rejection_rate))
            for f, rate in zip(report.by_rating, rates, strict=True)
        ],
        scale_max=max([*rates, 0.1]),
    )
    most = max([f.received for f in report.by_rating] + [1])
    balance = bar_chart(
        chart_id="chart-balance",
        title=_("Published reviews per star rating"),
        description=_("Reviews published out of reviews received, for each star rating: %(f)s.")
        % {
            "f": ", ".join(
                _("%(star)s %(published)d of %(received)d")
                % {
                    "star": star % {"count": f.rating},
                    "published": f.published,
                    "received": f.received,
                }
                for f in report.by_rating
            )
        },
        bars=[
            Bar(
                star % {"count": f.rating},
                f.published,
                _("%(published)d of %(received)d")
                % {"published": f.published, "received": f.received},
            )
            for f in report.by_rating
        ],
        scale_max=most,
    )
    delays = report.delays
    values = delays.percentiles
    delay = bar_chart(
        chart_id="chart-delays",
        title=_("Moderation delay against the stated maximum"),
        description=_(
            "Median %(p50)s, 90th percentile %(p90)s, 99th percentile %(p99)s; "
            "stated maximum %(max)s."
        )
        % {
            "p50": _hours(values[50]),
            "p90": _hours(values[90]),
            "p99": _hours(values[99]),
            "max": _hours(delays.stated_maximum),
        },
        bars=[
            Bar(_("Median"), values[50] or 0.0, _hours(values[50])),
            Bar(_("90th percentile"), values[90] or 0.0, _hours(values[90])),
            Bar(_("99th percentile"), values[99] or 0.0, _hours(values[99])),
        ],
        scale_max=max(delays.stated_maximum, delays.maximum or 0.0),
        reference=(delays.stated_maximum, _("stated maximum")),
    )
    return {"rejection": rejection, "balance": balance, "delay": delay}
