from django.urls import path

from brands import apis, integration_apis, invitation_apis

urlpatterns = [
    path("brands/", apis.BrandListApi.as_view(), name="api-brand-list"),
    path("brands/<slug:slug>/", apis.BrandDetailApi.as_view(), name="api-brand-detail"),
    path("brands/<slug:slug>/claims/", apis.BrandClaimRequestApi.as_view(), name="api-brand-claim"),
    path(
        "brands/<slug:slug>/invitations/",
        invitation_apis.BrandInvitationListCreateApi.as_view(),
        name="api-brand-invitations",
    ),
    path(
        "brands/<slug:slug>/invitations/<id:invitation_id>/cancel/",
        invitation_apis.BrandInvitationCancelApi.as_view(),
        name="api-brand-invitation-cancel",
    ),
    # Integrations: API tokens and webhooks (issue 6)
    path(
        "brands/<slug:slug>/api-tokens/",
        integration_apis.BrandApiTokenListCreateApi.as_view(),
        name="api-brand-api-tokens",
    ),
    path(
        "brands/<slug:slug>/api-tokens/<id:token_id>/revoke/",
        integration_apis.BrandApiTokenRevokeApi.as_view(),
        name="api-brand-api-token-revoke",
    ),
    path(
        "brands/<slug:slug>/webhooks/",
        integration_apis.BrandWebhookListCreateApi.as_view(),
        name="api-brand-webhooks",
    ),
    path(
        "brands/<slug:slug>/webhooks/deliveries/",
        integration_apis.BrandWebhookDeliveryListApi.as_view(),
        name="api-brand-webhook-deliveries",
    ),
    path(
        "brands/<slug:slug>/webhooks/<id:endpoint_id>/disable/",
        integration_apis.BrandWebhookDisableApi.as_view(),
        name="api-brand-webhook-disable",
    ),
    path("brand-claims/", apis.BrandClaimListApi.as_view(), name="api-brand-claim-list"),
    path("brand-claims/verify/", apis.BrandClaimVerifyApi.as_view(), name="api-brand-claim-verify"),
    path(
        "brand-claims/<id:claim_id>/approve/",
        apis.BrandClaimApproveApi.as_view(),
        name="api-brand-claim-approve",
    ),
    path(
        "brand-claims/<id:claim_id>/reject/",
        apis.BrandClaimRejectApi.as_view(),
        name="api-brand-claim-reject",
    ),
    path(
        "memberships/<id:membership_id>/role/",
        apis.MembershipRoleChangeApi.as_view(),
        name="api-membership-role",
    ),
]
