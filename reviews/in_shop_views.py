"""In the shop: a printable poster with a QR code per place, the review form it opens (place
and "in store" channel set), and a full-screen page of the place's latest reviews for a screen
in the shop."""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from brands.models import Brand, Place
from brands.selectors import get_brand, is_brand_member
from config.requests import authenticated_user
from reviews.models import Review
from reviews.ratings import get_rating
from reviews.selectors import list_latest_place_reviews
from reviews.views import review_form_page


def _brand_and_place(slug: str, place_slug: str) -> tuple[Brand, Place]:
    brand = get_brand(slug=slug)
    place = next((p for p in brand.places.all() if p.slug == place_slug), None) if brand else None
    if brand is None or place is None:
        raise Http404
    return brand, place


def in_store_url(place: Place) -> str:
    """The address the poster's QR code encodes: the place's in-store review form."""
    return settings.SITE_URL + reverse(
        "reviews:write-in-store", kwargs={"slug": place.brand.slug, "place_slug": place.slug}
    )


def qr_code_svg(url: str, *, title: str) -> SafeString:
    """An inline SVG QR code of `url` (segno; error correction M or better), scalable, with
    its accessible name. Nothing in it comes from the request: safe to mark safe."""
    svg = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=title, dark="#000")
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


@login_required
@require_GET
def place_poster(request: HttpRequest, slug: str, place_slug: str) -> HttpResponse:
    """Any member of the brand prints its places' posters (they name no customer)."""
    brand, place = _brand_and_place(slug, place_slug)
    if not is_brand_member(user_id=authenticated_user(request).pk, brand_id=brand.pk):
        raise PermissionDenied
    url = in_store_url(place)
    return render(
        request,
        "reviews/poster.html",
        {
            "brand": brand,
            "place": place,
            "url": url,
            "qr_code": qr_code_svg(url, title=_("QR code: write a review of this shop")),
            "decision_max_days": settings.REVIEW_DECISION_MAX_DELAY.days,
        },
    )


@require_GET
@cache_page(settings.PLACE_DISPLAY_CACHE_SECONDS)
def place_display(request: HttpRequest, slug: str, place_slug: str) -> HttpResponse:
    """Public, for a screen in the shop: the place's rating and latest published reviews,
    newest first and unselected (FTC-4: Voix hosts reviews, it does not pick testimonials);
    no author, no personal data. Reloads itself; cached briefly, for every viewer alike."""
    brand, place = _brand_and_place(slug, place_slug)
    url = in_store_url(place)
    return render(
        request,
        "reviews/display.html",
        {
            "brand": brand,
            "place": place,
            "rating": get_rating(brand_id=brand.pk, place_id=place.pk),
            "reviews": list_latest_place_reviews(
                brand_id=brand.pk, place_id=place.pk, limit=settings.PLACE_DISPLAY_REVIEWS
            ),
            "refresh_seconds": settings.PLACE_DISPLAY_REFRESH_SECONDS,
            "url": url,
            "qr_code": qr_code_svg(url, title=_("QR code: write a review of this shop")),
        },
    )


@login_required
def write_in_store_review(request: HttpRequest, slug: str, place_slug: str) -> HttpResponse:
    """The form the poster's QR code opens: the review is of this place, in store."""
    brand, place = _brand_and_place(slug, place_slug)
    return review_form_page(
        request,
        brand=brand,
        preset={"place": place, "channel": Review.Channel.IN_STORE},
        template="reviews/write_in_store.html",
        context={"place": place},
    )
