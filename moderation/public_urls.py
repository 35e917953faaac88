from django.urls import path  # noqa: F401

# Information pages, review histories and the transparency report (issue 5).
urlpatterns: list = []
