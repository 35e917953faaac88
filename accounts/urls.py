from django.urls import path

from accounts import views

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("langue/", views.switch_language, name="switch-language"),
]
