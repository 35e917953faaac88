from django.urls import path

from accounts import views

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("langue/", views.switch_language, name="switch-language"),
    path("mes-donnees/", views.my_data, name="my-data"),
    path("mes-donnees/export/", views.export_my_data, name="my-data-export"),
    path("supprimer/", views.erase_my_account, name="erase-account"),
]
