from django.urls import path

from reviews import apis

# A brand's published reviews and its rating (issue 5); brands.api_urls owns brands/<slug>/.
urlpatterns = [
    path(
        "brands/<slug:slug>/reviews/",
        apis.BrandReviewListApi.as_view(),
        name="api-brand-reviews",
    ),
    path("brands/<slug:slug>/rating/", apis.BrandRatingApi.as_view(), name="api-brand-rating"),
]
