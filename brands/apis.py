from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from brands.filters import BrandFilter
from brands.models import Brand, DomainClaim, Membership, Place
from brands.selectors import get_brand, list_brands, list_pending_claims
from brands.services import (
    approve_brand_claim,
    change_membership_role,
    reject_brand_claim,
    request_brand_claim,
    verify_brand_claim,
)
from config.errors import PermissionDeniedError
from config.requests import authenticated_user


class PlaceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ("id", "slug", "name", "kind", "city", "address", "postal_code")


class BrandOutputSerializer(serializers.ModelSerializer):
    place_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Brand
        fields = (
            "id",
            "slug",
            "name",
            "domain",
            "domain_verified_at",
            "description",
            "place_count",
        )


class BrandDetailOutputSerializer(serializers.ModelSerializer):
    places = PlaceOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Brand
        fields = ("id", "slug", "name", "domain", "domain_verified_at", "description", "places")


class ClaimOutputSerializer(serializers.ModelSerializer):
    brand = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = DomainClaim
        fields = ("id", "brand", "email", "status", "created_at", "decided_at")


class MembershipOutputSerializer(serializers.ModelSerializer):
    brand = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "brand", "user", "role", "created_at")


class BrandListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = BrandOutputSerializer
    filterset_class = BrandFilter

    def get_queryset(self) -> QuerySet[Brand]:
        return list_brands()


class BrandDetailApi(RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = BrandDetailOutputSerializer

    def get_object(self) -> Brand:
        brand = get_brand(slug=self.kwargs["slug"])
        if brand is None:
            raise Http404
        return brand


class BrandClaimRequestApi(APIView):
    """Claim a brand: a link is emailed to an address on the brand's domain."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "claims"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()

    @extend_schema(request=InputSerializer, responses={201: ClaimOutputSerializer})
    def post(self, request: Request, slug: str) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        brand = get_brand(slug=slug)
        if brand is None:
            raise Http404
        claim = request_brand_claim(
            user=authenticated_user(request), brand=brand, **s.validated_data
        )
        return Response(ClaimOutputSerializer(claim).data, status=status.HTTP_201_CREATED)


class BrandClaimListApi(ListAPIView):
    """Pending claims, for operators."""

    permission_classes = [IsAuthenticated]
    serializer_class = ClaimOutputSerializer

    def get_queryset(self) -> QuerySet[DomainClaim]:
        if getattr(self, "swagger_fake_view", False):
            return DomainClaim.objects.none()
        if not authenticated_user(self.request).is_operator:
            raise PermissionDeniedError("Only operators see pending claims.")
        return list_pending_claims()


class BrandClaimVerifyApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses=MembershipOutputSerializer)
    def post(self, request: Request) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        membership = verify_brand_claim(
            token=s.validated_data["token"], user=authenticated_user(request)
        )
        return Response(MembershipOutputSerializer(membership).data)


class BrandClaimApproveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=MembershipOutputSerializer)
    def post(self, request: Request, claim_id: int) -> Response:
        membership = approve_brand_claim(claim_id=claim_id, actor=authenticated_user(request))
        return Response(MembershipOutputSerializer(membership).data)


class BrandClaimRejectApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ClaimOutputSerializer)
    def post(self, request: Request, claim_id: int) -> Response:
        claim = reject_brand_claim(claim_id=claim_id, actor=authenticated_user(request))
        return Response(ClaimOutputSerializer(claim).data)


class MembershipRoleChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Membership.Role.choices)

    @extend_schema(request=InputSerializer, responses=MembershipOutputSerializer)
    def post(self, request: Request, membership_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        membership = change_membership_role(
            membership_id=membership_id,
            role=s.validated_data["role"],
            actor=authenticated_user(request),
        )
        return Response(MembershipOutputSerializer(membership).data)
