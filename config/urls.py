from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.converters import IdConverter
from config.health import health
from moderation import privacy_views
from reviews import views as reviews_views

# Before the apps' URL modules are imported (by include below): they use <id:...>.
register_converter(IdConverter, "id")

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("brands.api_urls")),
    path("", include("moderation.api_urls")),
    path("", include("reviews.api_urls")),
]

urlpatterns = [
    path("", reviews_views.home, name="home"),
    path("health/", health, name="health"),
    path("compte/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    path("marques/", include("brands.urls")),
    path("avis/", include("reviews.urls")),
    path("", include("moderation.urls")),
    path("", include("moderation.public_urls")),
    path("confidentialite/", privacy_views.privacy_notice, name="privacy"),
    path("", include("reviews.in_shop_urls")),
    path("", include("reviews.public_urls")),
    path("", include("reviews.history_urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
