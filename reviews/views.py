from dataclasses import dataclass
from typing import Any

import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from brands.models import Brand
from brands.page_cache import cached_brand_part
from brands.selectors import get_brand, get_brand_by_slug_only, list_brands
from config.errors import ApplicationError
from config.requests import authenticated_user
from moderation.transparency import TransparencyReport, compute_transparency, last_twelve_months
from reviews.filters import DEFAULT_SORT, REVIEW_SORTS, BrandReviewFilter, BrandSearchFilter
from reviews.forms import ReviewForm
from reviews.models import Review
from reviews.ratings import get_brand_ratings, get_rating, mean_of
from reviews.selectors import (
    list_brand_reviews,
    list_brands_with_ratings,
    list_helpful_review_ids,
    list_reviews_of_author,
)
from reviews.services import (
    decision_due_by,
    submit_review,
    vote_review_helpful,
    withdraw_review,
)
from reviews.statements import appeal_window_of, with_restrictions
from reviews.structured_data import brand_structured_data

REVIEWS_PER_PAGE = 20
BRANDS_PER_PAGE = 20


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


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"brands": list_brands()[:50]})


@login_required
def write_review(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    return review_form_page(request, brand=brand)


def review_form_page(
    request: HttpRequest,
    *,
    brand: Brand,
    preset: dict[str, Any] | None = None,
    template: str = "reviews/write.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The review form of a brand. `preset` values are not asked, they are submitted as they
    are (a shop's QR code sets the place and channel; an invitation also sets itself, and
    submit_review takes the date and place from it); the template shows them."""
    preset = preset or {}
    form = ReviewForm(request.POST or None, brand=brand)
    for name in preset:
        form.fields.pop(name, None)
    if request.method == "POST" and form.is_valid():
        try:
            review = submit_review(
                author=authenticated_user(request),
                brand=brand,
                client_ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
                **form.cleaned_data,
                **preset,
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
        template,
        {"brand": brand, "form": form, **(context or {})},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    """The author's reviews; each restricted one with its statement of reasons and where its
    appeal stands (DSA art. 17, 20)."""
    reviews = with_restrictions(list_reviews_of_author(author_id=authenticated_user(request).pk))
    now = timezone.now()
    items = [(review, appeal_window_of(review, now=now)) for review in reviews]
    return render(request, "reviews/mine.html", {"items": items})


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


def apply_filters(
    filter_class: type[django_filters.FilterSet], request: HttpRequest, **kwargs: Any
) -> tuple[django_filters.FilterSet, list[str]]:
    """The filterset of the query string, without the values it did not understand, and the
    labels of the filters so ignored: the page says so instead of failing."""
    filterset = filter_class(request.GET or None, **kwargs)
    if not filterset.is_bound or filterset.is_valid():
        return filterset, []
    ignored = [str(filterset.form.fields[name].label) for name in filterset.errors]
    valid = request.GET.copy()
    for name in filterset.errors:
        valid.pop(name, None)
    return filter_class(valid or None, **kwargs), ignored


@require_GET
def brand_search(request: HttpRequest) -> HttpResponse:
    filterset, ignored = apply_filters(
        BrandSearchFilter, request, queryset=list_brands_with_ratings()
    )
    page = Paginator(filterset.qs, BRANDS_PER_PAGE).get_page(request.GET.get("page"))
    results = [
        (
            brand,
            mean_of(brand.rating_total, brand.rating_count),
            sorted({p.city for p in brand.places.all()}),
        )
        for brand in page
    ]
    return render(
        request,
        "reviews/brand_search.html",
        {"filter": filterset, "page": page, "results": results, "ignored": ignored},
    )


@require_GET
def brand_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _reviews_page(request, slug=slug, place_slug=None)


@require_GET
def place_detail(request: HttpRequest, slug: str, place_slug: str) -> HttpResponse:
    return _reviews_page(request, slug=slug, place_slug=place_slug)


@dataclass(frozen=True)
class PageParts:
    """A brand or place page as rendered, without the site's frame (header, menus, forms with
    the visitor's CSRF token): what may be shared between anonymous visitors."""

    title: str
    head: SafeString
    main: SafeString


def _reviews_page(request: HttpRequest, *, slug: str, place_slug: str | None) -> HttpResponse:
    """The brand (or place) page. Anonymous visitors share its rendered parts, cached until the
    brand's pages change (brands.page_cache); signed-in visitors see their own votes."""
    brand = get_brand_by_slug_only(slug=slug)
    if brand is None:
        raise Http404

    def build() -> PageParts:
        return _brand_page_parts(request, brand=brand, place_slug=place_slug)

    if request.user.is_authenticated:
        parts = build()
    else:
        name = f"html:{place_slug or ''}:{get_language()}:{request.GET.urlencode()}"
        parts = cached_brand_part(brand.pk, name, build)
    return render(request, "reviews/brand_detail.html", {"parts": parts})


def _brand_page_parts(request: HttpRequest, *, brand: Brand, place_slug: str | None) -> PageParts:
    """The rating block, the ratings per channel and place, and the reviews."""
    places = list(brand.places.all())
    place = None
    if place_slug is not None:
        place = next((p for p in places if p.slug == place_slug), None)
        if place is None:
            raise Http404
    filterset, ignored = apply_filters(
        BrandReviewFilter,
        request,
        queryset=list_brand_reviews(brand_id=brand.pk, place_id=place.pk if place else None),
        places=None if place else places,
    )
    valid = filterset.is_bound and filterset.is_valid()
    sort = (filterset.form.cleaned_data.get("sort") if valid else "") or DEFAULT_SORT
    page = Paginator(filterset.qs, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    reviews = list(page.object_list)
    context: dict[str, Any] = {"brand": brand, "place": place, "page": page, "reviews": reviews}
    if place is None:
        ratings = get_brand_ratings(brand_id=brand.pk)
        rating = ratings.overall
        context["channel_ratings"] = [
            (Review.Channel(name).label, ratings.by_channel[name])
            for name in Review.Channel.values
            if name in ratings.by_channel
        ]
        context["place_ratings"] = [(p, ratings.by_place.get(p.pk)) for p in places]
        context |= _brand_transparency(brand)
    else:
        rating = get_rating(brand_id=brand.pk, place_id=place.pk)
    user = request.user
    voted = (
        list_helpful_review_ids(user_id=user.pk, review_ids=[r.pk for r in reviews])
        if user.is_authenticated
        else set()
    )
    context.update(
        {
            "rating": rating,
            "filter": filterset,
            "ignored": ignored,
            "sort_label": REVIEW_SORTS[sort][0],
            "voted": voted,
            "structured_data": brand_structured_data(
                brand=brand,
                place=place,
                rating=rating,
                reviews=reviews,
                url=request.build_absolute_uri(request.path),
            ),
        }
    )
    return PageParts(
        title=f"{place.name} — {brand.name}" if place else brand.name,
        head=render_to_string("reviews/_brand_page_head.html", context, request),
        main=render_to_string("reviews/_brand_page_main.html", context, request),
    )


def _brand_transparency(brand: Brand) -> dict[str, Any]:
    """The brand's figures of the transparency report over the last 12 months (EU-4, ISO-PUB-2):
    the same computation as /transparence/, in its fixed two queries, and a link to that report
    for this brand and period, where the figures are the same."""
    period = last_twelve_months()
    # The figures read a year of the brand's submissions: computed at most once per brand and
    # BRAND_TRANSPARENCY_CACHE_SECONDS, so a busy brand page does not recount on every view.
    key = f"brand-transparency:{brand.pk}:{period.start}:{period.end}"
    report: TransparencyReport | None = cache.get(key)
    if report is None:
        report = compute_transparency(period=period, brand_id=brand.pk)
        cache.set(key, report, timeout=settings.BRAND_TRANSPARENCY_CACHE_SECONDS)
    return {
        "transparency": report,
        "transparency_rules": [
            row
            for row in report.rejections_per_rule(language=get_language() or "fr")
            if row[2] or row[3]
        ],
        "transparency_url": f"{reverse('transparency')}?{report.query()}",
    }


@login_required
@require_POST
def vote_helpful(request: HttpRequest, review_id: int) -> HttpResponse:
    try:
        vote_review_helpful(review_id=review_id, user=authenticated_user(request))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Thank you: your vote is counted."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("brand-search")
    return redirect(next_url)
