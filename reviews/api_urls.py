from django.urls import include, path

from reviews import apis

urlpatterns = [
    path("", include("reviews.brand_api_urls")),
    path("reviews/", apis.ReviewListSubmitApi.as_view(), name="api-reviews"),
    path("reviews/mine/", apis.MyReviewListApi.as_view(), name="api-my-reviews"),
    path(
        "reviews/<int:review_id>/withdraw/",
        apis.ReviewWithdrawApi.as_view(),
        name="api-review-withdraw",
    ),
    path(
        "reviews/<int:review_id>/helpful/",
        apis.ReviewHelpfulVoteApi.as_view(),
        name="api-review-helpful",
    ),
]
