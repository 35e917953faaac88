from django.urls import path

from moderation import apis

urlpatterns = [
    path("code-of-conduct/", apis.CodeOfConductApi.as_view(), name="api-code-of-conduct"),
]
