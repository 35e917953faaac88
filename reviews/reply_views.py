"""The brand's workspace for replies: its reviews, newest first, and a reply form on each, for
the brand's members (owner, manager, agent). Thin views: reads in `reviews.reply_selectors`,
writes in `reviews.reply_services`."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from brands.selectors import get_brand, is_brand_member
from config.errors import ApplicationError
from config.requests import authenticated_user
from moderation.rules import rules_for_kind
from moderation.services import reporting_suspended_until
from reviews.filters import BrandRepliesFilter
from reviews.models import ReplyAttachment, ReplyVersion, Review
from reviews.reply_media import MEDIA_ACCEPT, AttachmentUpload, can_see_attachment
from reviews.reply_selectors import list_reviews_to_answer
from reviews.reply_services import (
    KIND,
    reply_decision_due_by,
    reply_to_review,
    update_reply,
)
from reviews.reply_services import report_reply as report_reply_service
from reviews.reporting_forms import ConductReportForm, NoticeForm
from reviews.reporting_views import FILED_SESSION_KEY
from reviews.selectors import get_review
from reviews.services import review_url
from reviews.views import apply_filters, client_ip

REVIEWS_PER_PAGE = 20


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The brand's public reply"),
        max_length=settings.REPLY_TEXT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


@login_required
@require_GET
def brand_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    """The brand's published reviews with the state of their reply; members only (403)."""
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    if not is_brand_member(user_id=authenticated_user(request).pk, brand_id=brand.pk):
        raise PermissionDenied
    filterset, ignored = apply_filters(
        BrandRepliesFilter, request, queryset=list_reviews_to_answer(brand_id=brand.pk)
    )
    page = Paginator(filterset.qs, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(review, getattr(review, "reply", None)) for review in page.object_list]
    return render(
        request,
        "reviews/brand_reviews.html",
        {
            "brand": brand,
            "filter": filterset,
            "ignored": ignored,
            "page": page,
            "rows": rows,
            "pending": (ReplyVersion.Status.SUBMITTED, ReplyVersion.Status.IN_REVIEW),
            "max_length": settings.REPLY_TEXT_MAX_LENGTH,
            "max_delay_days": settings.REPLY_DECISION_MAX_DELAY.days,
            "media_slots": range(1, settings.REPLY_ATTACHMENT_MAX_COUNT + 1),
            "media_max_count": settings.REPLY_ATTACHMENT_MAX_COUNT,
            "media_accept": MEDIA_ACCEPT,
            "media_description_max": settings.REPLY_ATTACHMENT_DESCRIPTION_MAX_LENGTH,
            "photo_max_mb": settings.REPLY_PHOTO_MAX_BYTES // (1024 * 1024),
            "video_max_mb": settings.REPLY_VIDEO_MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
@require_POST
def reply(request: HttpRequest, review_id: int) -> HttpResponse:
    return _submit(request, review_id, reply_to_review)


@login_required
@require_POST
def reply_update(request: HttpRequest, review_id: int) -> HttpResponse:
    keep = not request.POST.get("remove_attachments")
    return _submit(request, review_id, partial(update_reply, keep_attachments=keep))


def _uploads(request: HttpRequest) -> list[AttachmentUpload]:
    """The form's numbered file fields, each with its description; empty ones are skipped."""
    return [
        AttachmentUpload(file=file, description=request.POST.get(f"description_{index}", ""))
        for index in range(1, settings.REPLY_ATTACHMENT_MAX_COUNT + 1)
        if (file := request.FILES.get(f"attachment_{index}")) is not None
    ]


def _submit(
    request: HttpRequest, review_id: int, service: Callable[..., ReplyVersion]
) -> HttpResponse:
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("text", [])))
    else:
        try:
            version = service(
                review_id=review_id,
                member=authenticated_user(request),
                text=form.cleaned_data["text"],
                attachments=_uploads(request),
            )
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            due = timezone.localtime(reply_decision_due_by(version))
            messages.success(
                request,
                _(
                    "Your reply was received. It is checked against the code of conduct and "
                    "published, or refused with the rule it breaks, by %(date)s at the latest."
                )
                % {"date": date_format(due, "DATE_FORMAT")},
            )
    return redirect(_next_url(request, review_id))


def _next_url(request: HttpRequest, review_id: int) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("brands:mine")


class ReplyConductReportForm(ConductReportForm):
    """A report under the code of conduct, with the rules that apply to replies."""

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, language=language, **kwargs)
        self.fields["rule_code"].choices = [  # type: ignore[attr-defined]
            ("", _("— choose a rule —")),
            *(
                (rule.code, rule.title(language))
                for rule in rules_for_kind(KIND)
                if rule.code != "illegal_content"
            ),
        ]


@require_http_methods(["GET", "POST"])
def report_reply(request: HttpRequest, review_id: int) -> HttpResponse:
    """Report the brand's reply under a review: a notice of illegal content for anyone, a report
    under the code of conduct for verified accounts (DSA art. 16). Filed on the version shown."""
    review = get_review(review_id=review_id)
    shown = review.public_reply if review is not None else None
    if review is None or review.status != Review.Status.PUBLISHED or shown is None:
        raise Http404
    version = shown.published
    if version is None:  # public_reply has one; kept for the type checker
        raise Http404
    user = request.user if isinstance(request.user, User) else None
    language = translation.get_language() or "fr"
    data = request.POST if request.method == "POST" else None
    posted = next((p for p in ("notice", "conduct") if f"{p}-source" in (data or {})), None)
    notice = NoticeForm(
        data if posted == "notice" else None,
        user=user,
        location_url=review_url(review) + f"#reply-{review.pk}",
    )
    conduct = ReplyConductReportForm(data if posted == "conduct" else None, language=language)
    bound = {"notice": notice, "conduct": conduct}.get(posted or "")
    status = 200
    if data is not None and bound is None:
        status = 400
    elif bound is not None:
        if not bound.is_valid():
            status = 400
        else:
            fields = bound.cleaned_data
            try:
                filed = report_reply_service(
                    review_id=review.pk,
                    reporter=user,
                    source=fields["source"],
                    explanation=fields["explanation"],
                    rule_code=fields.get("rule_code", ""),
                    location_url=fields.get("location_url"),
                    notifier_name=fields.get("notifier_name", ""),
                    notifier_email=fields.get("notifier_email", ""),
                    good_faith_confirmed=fields.get("good_faith_confirmed", False),
                    client_ip=client_ip(request),
                )
            except ApplicationError as error:
                bound.add_error(None, str(error.message))
                status = error.status_code
            else:
                request.session[FILED_SESSION_KEY] = filed.pk
                return redirect("reviews:report-filed")
    context = {
        "review": review,
        "reply": shown,
        "notice_form": notice,
        "conduct_form": conduct,
        "is_author": user is not None and version.author_id == user.pk,
        "suspended_until": reporting_suspended_until(user=user) if user is not None else None,
    }
    return render(request, "reviews/report_reply.html", context, status=status)


# Photos and videos of a reply are in the private storage, which has no URL: this view serves
# them, a year in any cache once public (a version's files never change), never cached before.
PUBLIC_MEDIA_MAX_AGE = 365 * 24 * 3600


@require_GET
def reply_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = (
        ReplyAttachment.objects.select_related("version__reply").filter(pk=attachment_id).first()
    )
    # Who may not see it gets a 404, like an unknown id: nothing can be probed.
    if attachment is None or not can_see_attachment(attachment, request.user):
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    public = attachment.version.status == ReplyVersion.Status.PUBLISHED
    response["Cache-Control"] = (
        f"public, max-age={PUBLIC_MEDIA_MAX_AGE}, immutable" if public else "private, no-store"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
