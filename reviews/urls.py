from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("mes-avis/", views.my_reviews, name="mine"),
    path("<int:review_id>/retirer/", views.withdraw, name="withdraw"),
    path("<int:review_id>/utile/", views.vote_helpful, name="helpful"),
    path("ecrire/<slug:slug>/", views.write_review, name="write"),
]
