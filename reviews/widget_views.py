"""The embeddable widget (issue 6, "Integrations"): a brand's rating and latest reviews, for an
iframe on the brand's own site.

The page is public and the same for every visitor: it never reads the session (the user's
language middleware skips it, see accounts/middleware.py), sets no cookie, and may be framed by
any site. Its HTML is cached per brand and language for `WIDGET_CACHE_SECONDS`, and browsers and
shared caches may keep it as long. The rating is the brand page's (same counters, no recount).
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import Truncator
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from brands.models import Brand
from reviews.models import Review
from reviews.ratings import Rating, get_rating
from reviews.selectors import list_brand_reviews

WIDGET_REVIEWS = 3
WIDGET_EXCERPT_CHARS = 180
WIDGET_CACHE_SECONDS = 300
WIDGET_LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class WidgetReview:
    review: Review
    excerpt: str
    truncated: bool


def widget_language(request: HttpRequest) -> str:
    """`?lang=fr|en`, else the first supported language of Accept-Language, else French.

    Never the language cookie nor the session: the answer depends on the URL and Accept-Language
    only, the two things the response varies on."""
    asked = request.GET.get("lang", "")[:2].lower()
    if asked in WIDGET_LANGUAGES:
        return asked
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        primary = code.split("-")[0].lower()
        if primary in WIDGET_LANGUAGES:
            return primary
    return WIDGET_LANGUAGES[0]


def widget_cache_key(*, slug: str, language: str) -> str:
    return f"brand-widget:{slug}:{language}"


def get_widget_content(*, slug: str) -> tuple[Brand, Rating, list[WidgetReview]] | None:
    """The brand, its rating and its latest published reviews with their excerpts: 3 queries."""
    brand = Brand.objects.filter(slug=slug).first()
    if brand is None:
        return None
    rating = get_rating(brand_id=brand.pk)
    latest = []
    for review in list_brand_reviews(brand_id=brand.pk)[:WIDGET_REVIEWS]:
        excerpt = Truncator(review.text).chars(WIDGET_EXCERPT_CHARS)
        latest.append(
            WidgetReview(review=review, excerpt=excerpt, truncated=excerpt != review.text)
        )
    return brand, rating, latest


def render_widget(*, slug: str, language: str) -> str | None:
    """The widget's HTML in `language`, from the cache or freshly rendered; None: no such brand."""
    key = widget_cache_key(slug=slug, language=language)
    html: str | None = cache.get(key)
    if html is not None:
        return html
    content = get_widget_content(slug=slug)
    if content is None:
        return None
    brand, rating, latest = content
    with translation.override(language):
        # No request: no context processor runs, so nothing reads the session or the user.
        html = render_to_string(
            "reviews/widget.html",
            {"brand": brand, "rating": rating, "latest": latest, "language": language},
        )
    cache.set(key, html, timeout=WIDGET_CACHE_SECONDS)
    return html


@xframe_options_exempt
@require_GET
def brand_widget(request: HttpRequest, slug: str) -> HttpResponse:
    language = widget_language(request)
    html = render_widget(slug=slug, language=language)
    if html is None:
        raise Http404
    response = HttpResponse(html)
    response["Content-Language"] = language
    response["Content-Security-Policy"] = "frame-ancestors *"
    patch_cache_control(response, public=True, max_age=WIDGET_CACHE_SECONDS)
    patch_vary_headers(response, ("Accept-Language",))
    return response
