from django.urls import path

from moderation import public_views

# Information pages and the transparency report (issue 5).
urlpatterns = [
    path("fonctionnement-des-avis/", public_views.how_reviews_work, name="how-reviews-work"),
    path("calcul-des-notes/", public_views.rating_method, name="rating-method"),
    path("independance/", public_views.independence, name="independence"),
    path("engagements/", public_views.commitments, name="commitments"),
    path("transparence/", public_views.transparency, name="transparency"),
    path("transparence/rapport.csv", public_views.transparency_csv, name="transparency-csv"),
]
