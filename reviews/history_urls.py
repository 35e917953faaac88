from django.urls import path  # noqa: F401

# The public history of a review (issue 5).
urlpatterns: list = []
