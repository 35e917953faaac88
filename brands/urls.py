from django.urls import path

from brands import views

app_name = "brands"
urlpatterns = [
    path("mes-marques/", views.my_brands, name="mine"),
    path("<slug:slug>/revendiquer/", views.claim_brand, name="claim"),
    path("revendication/<str:token>/", views.verify_claim, name="claim-verify"),
]
