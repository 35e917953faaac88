from django.urls import path

from accounts import apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("me/export/", apis.MyDataExportApi.as_view(), name="api-me-export"),
    path("me/erase/", apis.AccountErasureApi.as_view(), name="api-me-erase"),
    path("auth/token/", apis.TokenObtainApi.as_view(), name="api-token"),
    path("users/<id:user_id>/role/", apis.UserRoleChangeApi.as_view(), name="api-user-role"),
    path(
        "users/<id:user_id>/moderation-languages/",
        apis.UserLanguagesChangeApi.as_view(),
        name="api-user-languages",
    ),
]
