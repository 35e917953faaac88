from django.urls import path

from reviews import views, widget_views

# Public brand and place pages, and the brand search page (issue 5). Included after brands.urls,
# which owns /marques/mes-marques/, /marques/<slug>/revendiquer/ and /marques/revendication/...
urlpatterns = [
    path("marques/", views.brand_search, name="brand-search"),
    path("marques/<slug:slug>/", views.brand_detail, name="brand-detail"),
    path("marques/<slug:slug>/<slug:place_slug>/", views.place_detail, name="place-detail"),
    # The embeddable widget, framed by the brand's own site (issue 6); see reviews/widget_views.py
    path("widget/<slug:slug>/", widget_views.brand_widget, name="brand-widget"),
]
