"""A brand's integrations through the API: its API tokens, its webhooks and their delivery log.
Owners and managers only, with their session (a token cannot manage tokens); see
brands/integrations.py and brands/webhooks.py for the rules."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.integrations import (
    create_api_token,
    ensure_can_manage_integrations,
    list_api_tokens,
    revoke_api_token,
)
from brands.models import Brand, BrandApiToken, WebhookDelivery, WebhookEndpoint
from brands.selectors import get_brand_by_slug_only
from brands.webhooks import (
    create_webhook_endpoint,
    disable_webhook_endpoint,
    list_webhook_deliveries,
    list_webhook_endpoints,
)
from config.requests import authenticated_user


def _brand(slug: str) -> Brand:
    brand = get_brand_by_slug_only(slug=slug)
    if brand is None:
        raise Http404
    return brand


class ApiTokenOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.pseudonym", read_only=True)

    class Meta:
        model = BrandApiToken
        fields: tuple[str, ...] = (
            "id",
            "name",
            "scopes",
            "prefix",
            "created_at",
            "created_by",
            "last_used_at",
            "revoked_at",
        )


class ApiTokenCreatedSerializer(ApiTokenOutputSerializer):
    key = serializers.CharField(help_text="The key, shown this once: voix_<prefix>_<secret>.")

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = (*ApiTokenOutputSerializer.Meta.fields, "key")


class BrandApiTokenListCreateApi(APIView):
    """GET: the brand's API tokens (never their keys). POST: a new token; its key is in this
    response only."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        scopes = serializers.ListField(
            child=serializers.ChoiceField(choices=BrandApiToken.Scope.choices), min_length=1
        )

    @extend_schema(responses=ApiTokenOutputSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        brand = _brand(slug)
        ensure_can_manage_integrations(user=authenticated_user(request), brand=brand)
        tokens = list_api_tokens(brand_id=brand.pk)
        return Response(ApiTokenOutputSerializer(tokens, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ApiTokenCreatedSerializer})
    def post(self, request: Request, slug: str) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        created = create_api_token(
            brand=_brand(slug), actor=authenticated_user(request), **s.validated_data
        )
        data = {**ApiTokenOutputSerializer(created.token).data, "key": created.key}
        return Response(data, status=status.HTTP_201_CREATED)


class BrandApiTokenRevokeApi(APIView):
    """Revoke a token: from now on it is refused (401)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ApiTokenOutputSerializer)
    def post(self, request: Request, slug: str, token_id: int) -> Response:
        token = revoke_api_token(
            brand=_brand(slug), token_id=token_id, actor=authenticated_user(request)
        )
        return Response(ApiTokenOutputSerializer(token).data)


class WebhookEndpointOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = ("id", "url", "events", "active", "created_at")


class WebhookEndpointCreatedSerializer(WebhookEndpointOutputSerializer):
    secret = serializers.CharField(
        help_text="The signing secret, shown this once (Voix-Signature, see docs/api.md)."
    )

    class Meta(WebhookEndpointOutputSerializer.Meta):
        fields = (*WebhookEndpointOutputSerializer.Meta.fields, "secret")


class BrandWebhookListCreateApi(APIView):
    """GET: the brand's webhooks. POST: a new one (an https URL and its events); the signing
    secret is in this response only."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=500)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices), min_length=1
        )

    @extend_schema(responses=WebhookEndpointOutputSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        brand = _brand(slug)
        ensure_can_manage_integrations(user=authenticated_user(request), brand=brand)
        endpoints = list_webhook_endpoints(brand_id=brand.pk)
        return Response(WebhookEndpointOutputSerializer(endpoints, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: WebhookEndpointCreatedSerializer})
    def post(self, request: Request, slug: str) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        endpoint = create_webhook_endpoint(
            brand=_brand(slug), actor=authenticated_user(request), **s.validated_data
        )
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class BrandWebhookDisableApi(APIView):
    """Disable a webhook: no more events are sent to it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=WebhookEndpointOutputSerializer)
    def post(self, request: Request, slug: str, endpoint_id: int) -> Response:
        endpoint = disable_webhook_endpoint(
            brand=_brand(slug), endpoint_id=endpoint_id, actor=authenticated_user(request)
        )
        return Response(WebhookEndpointOutputSerializer(endpoint).data)


class WebhookDeliveryOutputSerializer(serializers.ModelSerializer):
    endpoint = serializers.CharField(source="endpoint.url")

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "endpoint",
            "event",
            "idempotency_key",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "created_at",
            "next_attempt_at",
            "delivered_at",
        )


class BrandWebhookDeliveryListApi(APIView):
    """The brand's last 100 webhook deliveries, newest first, with their status and the
    receiver's HTTP status."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WebhookDeliveryOutputSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        brand = _brand(slug)
        ensure_can_manage_integrations(user=authenticated_user(request), brand=brand)
        deliveries = list_webhook_deliveries(brand_id=brand.pk)
        return Response(WebhookDeliveryOutputSerializer(deliveries, many=True).data)
