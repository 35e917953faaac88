"""schema.org JSON-LD for brand and place pages: the rating and the reviews on the page."""

from collections.abc import Iterable
from typing import Any

from brands.models import Brand, Place
from reviews.models import Review
from reviews.ratings import Rating


def _rating(value: Any) -> dict[str, Any]:
    return {"@type": "Rating", "ratingValue": value, "bestRating": 5, "worstRating": 1}


def brand_structured_data(
    *, brand: Brand, place: Place | None, rating: Rating, reviews: Iterable[Review], url: str
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": brand.name,
        "url": url,
    }
    if place is not None:
        data.update(
            {
                "@type": "LocalBusiness",
                "name": f"{brand.name} — {place.name}",
                "parentOrganization": {"@type": "Organization", "name": brand.name},
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": place.address,
                    "postalCode": place.postal_code,
                    "addressLocality": place.city,
                },
            }
        )
    if rating.count:
        data["aggregateRating"] = {
            **_rating(str(rating.mean)),
            "@type": "AggregateRating",
            "ratingCount": rating.count,
            "reviewCount": rating.count,
        }
    data["review"] = [
        {
            "@type": "Review",
            "author": {"@type": "Person", "name": review.author.pseudonym},
            "datePublished": review.published_at.date().isoformat() if review.published_at else "",
            "name": review.title,
            "reviewBody": review.text,
            "inLanguage": review.language,
            "reviewRating": _rating(review.rating),
        }
        for review in reviews
    ]
    return data
