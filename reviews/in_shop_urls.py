from django.urls import path

from reviews import in_shop_views, invitation_views

# Brand tools under /marques/<slug>/ that read reviews (issue 6). Included before
# reviews.public_urls, whose /marques/<slug>/<place_slug>/ would otherwise take them.
urlpatterns = [
    path(
        "marques/<slug:slug>/invitations/",
        invitation_views.brand_invitations,
        name="brand-invitations",
    ),
    path(
        "marques/<slug:slug>/<slug:place_slug>/affiche/",
        in_shop_views.place_poster,
        name="place-poster",
    ),
    path(
        "marques/<slug:slug>/<slug:place_slug>/ecran/",
        in_shop_views.place_display,
        name="place-display",
    ),
]
