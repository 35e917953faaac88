from django.urls import path

from brands import apis, invitation_apis

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
        "brands/<slug:slug>/invitations/<int:invitation_id>/cancel/",
        invitation_apis.BrandInvitationCancelApi.as_view(),
        name="api-brand-invitation-cancel",
    ),
    path("brand-claims/", apis.BrandClaimListApi.as_view(), name="api-brand-claim-list"),
    path("brand-claims/verify/", apis.BrandClaimVerifyApi.as_view(), name="api-brand-claim-verify"),
    path(
        "brand-claims/<int:claim_id>/approve/",
        apis.BrandClaimApproveApi.as_view(),
        name="api-brand-claim-approve",
    ),
    path(
        "brand-claims/<int:claim_id>/reject/",
        apis.BrandClaimRejectApi.as_view(),
        name="api-brand-claim-reject",
    ),
    path(
        "memberships/<int:membership_id>/role/",
        apis.MembershipRoleChangeApi.as_view(),
        name="api-membership-role",
    ),
]
