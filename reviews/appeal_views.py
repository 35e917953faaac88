"""A review's statement of reasons in its author's account (DSA art. 17), and the forms to
contest a decision (DSA art. 20): the author against a restriction, a reporter against the
dismissal of their report. The services decide what may be contested; these pages only show
it and pass it on."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import ApplicationError, NotFoundError
from config.requests import authenticated_user
from moderation.models import Appeal, Report, StatementOfReasons
from moderation.selectors import get_report
from moderation.services import (
    APPEAL_EXPLANATION_MAX_LENGTH,
    file_appeal,
    file_notice_appeal,
    get_report_by_appeal_token,
)
from moderation.statements import get_report_appeal_window
from reviews.models import Review
from reviews.selectors import get_review
from reviews.statements import get_review_statement, statement_context


class AppealForm(forms.Form):
    explanation = forms.CharField(
        label=gettext_lazy("Why do you contest this decision?"),
        help_text=gettext_lazy(
            "Say what the decision gets wrong, and add any fact the moderators did not know. "
            "A moderator who did not take the decision reads it."
        ),
        max_length=APPEAL_EXPLANATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


def _restricted_review(request: HttpRequest, review_id: int) -> tuple[Review, StatementOfReasons]:
    """The author's own review and its last statement of reasons; 404 for anyone else, and
    for a review never restricted."""
    review = get_review(review_id=review_id)
    if review is None or review.author_id != authenticated_user(request).pk:
        raise Http404
    statement = get_review_statement(review)
    if statement is None:
        raise Http404
    return review, statement


def _appeal_filed_message(appeal: Appeal) -> str:
    due = appeal.created_at + settings.APPEAL_DECISION_MAX_DELAY
    return _(
        "Your appeal was received. A moderator who did not take the decision will examine it "
        "by %(date)s at the latest; you will be told the outcome by email."
    ) % {"date": date_format(timezone.localtime(due), "DATE_FORMAT")}


@login_required
@require_GET
def statement(request: HttpRequest, review_id: int) -> HttpResponse:
    """The statement of reasons of the review's last restriction, for its author only."""
    review, sor = _restricted_review(request, review_id)
    context = statement_context(
        statement=sor,
        review=review,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        now=timezone.now(),
        absolute=False,
    )
    return render(request, "reviews/statement_page.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal(request: HttpRequest, review_id: int) -> HttpResponse:
    """The author contests the review's last restriction, within six months (DSA-17)."""
    review, sor = _restricted_review(request, review_id)
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                filed = file_appeal(
                    appellant=authenticated_user(request),
                    explanation=form.cleaned_data["explanation"],
                    decision_id=sor.decision_id,
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _appeal_filed_message(filed))
                return redirect("reviews:statement", review_id=review.pk)
        else:
            status = 400
    context = statement_context(
        statement=sor,
        review=review,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        now=timezone.now(),
        absolute=False,
    )
    return render(request, "reviews/appeal_form.html", {**context, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """A reporter contests the dismissal of their report, within six months (DSA-17)."""
    report = get_report(report_id=report_id)
    if report is None or report.reporter_id != authenticated_user(request).pk:
        raise Http404
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                filed = file_appeal(
                    appellant=authenticated_user(request),
                    explanation=form.cleaned_data["explanation"],
                    report_id=report.pk,
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _appeal_filed_message(filed))
                return redirect("reviews:my-reports")
        else:
            status = 400
    context = {
        "report": report,
        "dismissed": report.status == Report.Status.DISMISSED,
        "window": get_report_appeal_window(report, now=timezone.now()),
        "appeal_url": request.path,
        "form": form,
    }
    return render(request, "reviews/appeal_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def appeal_notice(request: HttpRequest, token: str) -> HttpResponse:
    """A notifier without an account contests the dismissal of their notice, through the
    signed link of the outcome email, without logging in (DSA art. 20(1))."""
    try:
        report = get_report_by_appeal_token(token)
    except NotFoundError as error:
        context = {
            "link_error": str(error.message),
            "contact_email": settings.MODERATION_CONTACT_EMAIL,
        }
        return render(request, "reviews/appeal_form.html", context, status=error.status_code)
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                filed = file_notice_appeal(
                    token=token, explanation=form.cleaned_data["explanation"]
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _appeal_filed_message(filed))
                return redirect(request.path)
        else:
            status = 400
    context = {
        "report": report,
        "dismissed": report.status == Report.Status.DISMISSED,
        "window": get_report_appeal_window(report, now=timezone.now()),
        "appeal_url": request.path,
        "form": form,
    }
    return render(request, "reviews/appeal_form.html", context, status=status)
