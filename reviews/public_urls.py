from django.urls import path  # noqa: F401

# Public brand and place pages, the brand search page (issue 5).
urlpatterns: list = []
