from django.urls import path

from reviews import apis, dashboard_apis

# A brand's published reviews and its rating (issue 5); brands.api_urls owns brands/<slug>/.
urlpatterns = [
    path(
        "brands/<slug:slug>/reviews/",
        apis.BrandReviewListApi.as_view(),
        name="api-brand-reviews",
    ),
    path("brands/<slug:slug>/rating/", apis.BrandRatingApi.as_view(), name="api-brand-rating"),
    # The brand's figures, for its members (issue 6)
    path(
        "brands/<slug:slug>/dashboard/",
        dashboard_apis.BrandDashboardApi.as_view(),
        name="api-brand-dashboard",
    ),
    path(
        "brands/<slug:slug>/dashboard/csv/",
        dashboard_apis.BrandDashboardCsvApi.as_view(),
        name="api-brand-dashboard-csv",
    ),
]
