from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.selectors import get_brand, list_brands
from config.errors import ApplicationError
from config.requests import authenticated_user
from reviews.forms import ReviewForm
from reviews.selectors import list_reviews_of_author
from reviews.services import decision_due_by, submit_review, withdraw_review


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind N trusted proxies, the Nth from the right of X-Forwarded-For."""
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"brands": list_brands()[:50]})


@login_required
def write_review(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    form = ReviewForm(request.POST or None, brand=brand)
    if request.method == "POST" and form.is_valid():
        try:
            review = submit_review(
                author=authenticated_user(request),
                brand=brand,
                client_ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(
                request,
                _(
                    "Thank you! Your review will be checked before publication; you will have our "
                    "decision by %(date)s at the latest."
                )
                % {"date": date_format(decision_due_by(review), "DATE_FORMAT")},
            )
            return redirect("reviews:mine")
    return render(
        request,
        "reviews/write.html",
        {"brand": brand, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    reviews = list_reviews_of_author(author_id=authenticated_user(request).pk)
    return render(request, "reviews/mine.html", {"reviews": reviews})


@login_required
@require_POST
def withdraw(request: HttpRequest, review_id: int) -> HttpResponse:
    try:
        withdraw_review(review_id=review_id, author=authenticated_user(request))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your review was withdrawn. It no longer appears publicly."))
    return redirect("reviews:mine")
