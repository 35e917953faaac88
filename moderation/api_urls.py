from django.urls import path

from moderation import apis

urlpatterns = [
    path("code-of-conduct/", apis.CodeOfConductApi.as_view(), name="api-code-of-conduct"),
    path("transparency/", apis.TransparencyApi.as_view(), name="api-transparency"),
]
