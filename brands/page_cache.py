"""The rendered parts of a brand's public pages, cached for anonymous visitors.

A brand page costs tens of milliseconds to render (twenty review cards, the rating tables) and
is read far more often than it changes. Its cache key holds a version of the brand that every
change it shows moves on (a review published, withdrawn or removed, a label, a helpful vote, a
reply, a new place), after the change commits: a visitor never sees a page older than the last
such change. What another brand's change can alter on this page (an author's number of published
reviews, a pseudonym) is bounded by PUBLIC_PAGE_CACHE_SECONDS, the cache's lifetime.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


def _version_key(brand_id: int) -> str:
    return f"brand-page-version:{brand_id}"


def touch_brand_page(*, brand_id: int) -> None:
    """The brand's pages changed: a new version once the transaction commits."""
    transaction.on_commit(lambda: cache.set(_version_key(brand_id), time.time_ns(), timeout=None))


def cached_brand_part(brand_id: int, name: str, build: Callable[[], T]) -> T:
    """`build()`'s value for this version of the brand, from the cache when it holds it.
    `name` tells the part apart: page, place, language and query string."""
    if not settings.PUBLIC_PAGE_CACHE_SECONDS:
        return build()
    version = cache.get_or_set(_version_key(brand_id), time.time_ns, timeout=None)
    key = f"brand-page:{brand_id}:{version}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=settings.PUBLIC_PAGE_CACHE_SECONDS)
    return value
