"""Reporting a review (DSA art. 16, ISO-MOD-1, FR-5) and a reporter's own reports."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from brands.selectors import is_brand_member
from config.errors import ApplicationError, PermissionDeniedError
from config.requests import authenticated_user
from moderation.information import describe_duration
from moderation.models import Report
from moderation.selectors import get_report, list_reports_of_reporter
from moderation.services import appeal_deadline, reporting_suspended_until
from reviews.models import Review
from reviews.reporting_forms import ConductReportForm, FlagForm, NoticeForm
from reviews.selectors import get_review
from reviews.services import flag_review, report_review, review_url
from reviews.views import client_ip

FILED_SESSION_KEY = "reviews:filed_report"


def report_appeal_url(report: Report, *, now: datetime) -> str:
    """Where the reporter contests the dismissal of their report, while they still may (DSA-17):
    dismissed, not yet contested, within six months. Empty otherwise. `report` comes from
    list_reports_of_reporter (it knows whether it was appealed)."""
    if (
        report.status != Report.Status.DISMISSED
        or report.decided_at is None
        or getattr(report, "appealed", False)
        or now > appeal_deadline(informed_at=report.decided_at)
    ):
        return ""
    return reverse("reviews:appeal-report", args=[report.pk])


def report_max_delay(report: Report) -> timedelta:
    """The maximum delay we committed to for deciding this report (trusted flaggers: DSA-22)."""
    if report.trusted_flagger:
        return settings.TRUSTED_FLAGGER_DECISION_MAX_DELAY
    return settings.REPORT_DECISION_MAX_DELAY


def content_url(report: Report) -> str:
    """The public page of the reported content, for the kinds that have one."""
    if report.submission.kind == "review":
        return reverse("review-history", args=[report.submission.object_id])
    return ""


def _reporter(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, review_id: int) -> HttpResponse:
    """One page, three forms: a notice of illegal content for anyone; a report under the code
    of conduct for verified accounts; a doubt about authenticity for the brand's members."""
    review = get_review(review_id=review_id)
    if review is None or review.status != Review.Status.PUBLISHED:
        raise Http404
    user = _reporter(request)
    language = translation.get_language() or "fr"
    data = request.POST if request.method == "POST" else None
    posted = next(
        (prefix for prefix in ("notice", "conduct", "flag") if f"{prefix}-source" in (data or {})),
        None,
    )
    notice = NoticeForm(
        data if posted == "notice" else None, user=user, location_url=review_url(review)
    )
    conduct = ConductReportForm(data if posted == "conduct" else None, language=language)
    flag = FlagForm(data if posted == "flag" else None)
    status = 200
    bound: forms.Form | None = {"notice": notice, "conduct": conduct, "flag": flag}.get(
        posted or ""
    )
    if data is not None and bound is None:
        status = 400  # a POST that is none of the three forms
    elif bound is not None:
        if not bound.is_valid():
            status = 400
        else:
            try:
                filed = _file(request, review=review, user=user, form=bound)
            except ApplicationError as error:
                bound.add_error(None, str(error.message))
                status = error.status_code
            else:
                request.session[FILED_SESSION_KEY] = filed.pk
                return redirect("reviews:report-filed")
    context: dict[str, Any] = {
        "review": review,
        "notice_form": notice,
        "conduct_form": conduct,
        "flag_form": flag,
        "is_author": user is not None and user.pk == review.author_id,
        "is_member": user is not None
        and is_brand_member(user_id=user.pk, brand_id=review.brand_id),
        "suspended_until": reporting_suspended_until(user=user) if user is not None else None,
    }
    return render(request, "reviews/report.html", context, status=status)


def _file(request: HttpRequest, *, review: Review, user: User | None, form: forms.Form) -> Report:
    data = form.cleaned_data
    ip = client_ip(request)
    if isinstance(form, FlagForm):
        if user is None:
            raise PermissionDeniedError(_("Only members of the brand can flag its reviews."))
        return flag_review(
            review_id=review.pk,
            user=user,
            flag_reason=data["flag_reason"],
            explanation=data["explanation"],
            client_ip=ip,
        )
    if isinstance(form, ConductReportForm):
        return report_review(
            review_id=review.pk,
            reporter=user,
            source=Report.Source.CODE_OF_CONDUCT,
            explanation=data["explanation"],
            rule_code=data["rule_code"],
            client_ip=ip,
        )
    return report_review(
        review_id=review.pk,
        reporter=user,
        source=Report.Source.ILLEGAL_CONTENT,
        explanation=data["explanation"],
        location_url=data["location_url"],
        notifier_name=data["notifier_name"],
        notifier_email=data["notifier_email"],
        good_faith_confirmed=data["good_faith_confirmed"],
        client_ip=ip,
    )


@require_GET
def report_filed(request: HttpRequest) -> HttpResponse:
    """The confirmation after filing: what happens next and by when at the latest. Shown to
    the one who filed it (the report's id is in their session), never to others."""
    report_id = request.session.get(FILED_SESSION_KEY)
    filed = get_report(report_id=report_id) if isinstance(report_id, int) else None
    if filed is None:
        raise Http404
    delay = report_max_delay(filed)
    context = {
        "report": filed,
        "max_delay": describe_duration(delay),
        "due_at": filed.created_at + delay,
        "content_url": content_url(filed),
    }
    return render(request, "reviews/report_filed.html", context)


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    now = timezone.now()
    reports = [
        (report, content_url(report), report_appeal_url(report, now=now))
        for report in list_reports_of_reporter(reporter_id=user.pk)
    ]
    return render(
        request,
        "reviews/my_reports.html",
        {"reports": reports, "suspended_until": reporting_suspended_until(user=user, now=now)},
    )
