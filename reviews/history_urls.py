from django.urls import path

from reviews import history_views

# The public history of a review (issue 5).
urlpatterns = [
    path("avis/<id:review_id>/historique/", history_views.review_history, name="review-history"),
    path(
        "avis/<id:review_id>/historique.json",
        history_views.review_history_json,
        name="review-history-json",
    ),
]
