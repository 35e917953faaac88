from django.urls import path

from moderation import views

urlpatterns = [
    path("charte/", views.code_of_conduct, name="code-of-conduct"),
]
