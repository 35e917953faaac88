from django.urls import include, path

from reviews import apis, proof_apis, reply_apis, reporting_apis

urlpatterns = [
    path("", include("reviews.brand_api_urls")),
    path("reviews/", apis.ReviewListSubmitApi.as_view(), name="api-reviews"),
    path("reviews/mine/", apis.MyReviewListApi.as_view(), name="api-my-reviews"),
    path(
        "reviews/<id:review_id>/withdraw/",
        apis.ReviewWithdrawApi.as_view(),
        name="api-review-withdraw",
    ),
    path(
        "reviews/<id:review_id>/helpful/",
        apis.ReviewHelpfulVoteApi.as_view(),
        name="api-review-helpful",
    ),
    path(
        "reviews/<id:review_id>/proof/",
        proof_apis.ReviewProofApi.as_view(),
        name="api-review-proof",
    ),
    path(
        "reviews/<id:review_id>/reports/",
        reporting_apis.ReviewReportApi.as_view(),
        name="api-review-reports",
    ),
    path(
        "reviews/<id:review_id>/flags/",
        reporting_apis.ReviewFlagApi.as_view(),
        name="api-review-flags",
    ),
    path("reports/mine/", reporting_apis.MyReportListApi.as_view(), name="api-my-reports"),
    path(
        "reviews/<id:review_id>/reply/",
        reply_apis.ReviewReplyApi.as_view(),
        name="api-review-reply",
    ),
]
