from django.urls import path

from brands import integration_views, invitation_views, views

app_name = "brands"
urlpatterns = [
    path("mes-marques/", views.my_brands, name="mine"),
    path("<slug:slug>/revendiquer/", views.claim_brand, name="claim"),
    path("revendication/<str:token>/", views.verify_claim, name="claim-verify"),
    # Review invitations (the list with its figures is reviews.invitation_views)
    path(
        "<slug:slug>/invitations/nouvelle/",
        invitation_views.invite_customer,
        name="invitation-create",
    ),
    path(
        "<slug:slug>/invitations/importer/",
        invitation_views.upload_invitations,
        name="invitation-upload",
    ),
    path(
        "<slug:slug>/invitations/<id:invitation_id>/annuler/",
        invitation_views.cancel,
        name="invitation-cancel",
    ),
    path(
        "invitations/desinscription/<str:token>/",
        invitation_views.opt_out,
        name="invitation-opt-out",
    ),
    # Integrations: API tokens and webhooks (owners and managers)
    path("<slug:slug>/integrations/", integration_views.integrations, name="integrations"),
    path(
        "<slug:slug>/integrations/jetons/",
        integration_views.create_token,
        name="integration-token-create",
    ),
    path(
        "<slug:slug>/integrations/jetons/<id:token_id>/revoquer/",
        integration_views.revoke_token,
        name="integration-token-revoke",
    ),
    path(
        "<slug:slug>/integrations/webhooks/",
        integration_views.create_webhook,
        name="integration-webhook-create",
    ),
    path(
        "<slug:slug>/integrations/webhooks/<id:endpoint_id>/desactiver/",
        integration_views.disable_webhook,
        name="integration-webhook-disable",
    ),
]
