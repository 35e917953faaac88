"""The invitation API of a brand: its owners and managers invite customers, one or a batch,
list the invitations and cancel one (see brands/invitations.py for the rules)."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from brands.authentication import TOKEN_AUTHENTICATION, token_scope
from brands.invitations import (
    InvitationBatch,
    InvitationRow,
    cancel_invitation,
    create_invitation,
    create_invitations,
    ensure_can_invite,
    parse_date,
    status_for_brand,
)
from brands.models import Brand, Invitation
from brands.selectors import get_brand, list_brand_invitations
from config.requests import authenticated_user

CUSTOMERS_ONLY_HELP = (
    "The brand's attestation that it invites only customers: no employees, no relatives, "
    "nobody rewarded for a review, every customer of the period (FTC-5). Must be true."
)


class InvitationItemSerializer(serializers.Serializer):
    """One customer and order. Nothing about the customer's opinion is accepted (FTC-2)."""

    email = serializers.CharField(max_length=254)
    order_reference = serializers.CharField(max_length=100)
    purchase_date = serializers.DateField(help_text="YYYY-MM-DD; not in the future.")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    place = serializers.CharField(
        max_length=140,
        required=False,
        allow_blank=True,
        default="",
        help_text="The slug of one of the brand's places.",
    )
    product = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    language = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's language, fr or en; French if empty.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Refuse unknown fields rather than ignore them: like a CSV column, a field about the
        customer's opinion (a rating, a satisfaction score) is a request to gate (FTC-2)."""
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    name: _(
                        "Unknown field. An invitation carries nothing about the customer's "
                        "opinion: every customer is invited, whatever they think."
                    )
                    for name in unknown
                },
                code="unknown_field",
            )
        return attrs


class InvitationSingleInputSerializer(InvitationItemSerializer):
    customers_only = serializers.BooleanField(help_text=CUSTOMERS_ONLY_HELP)


class InvitationBatchInputSerializer(serializers.Serializer):
    customers_only = serializers.BooleanField(help_text=CUSTOMERS_ONLY_HELP)
    invitations = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=settings.INVITATION_UPLOAD_MAX_ROWS,
        help_text="Invitation items (the fields of a single invitation, without customers_only).",
    )


class InvitationOutputSerializer(serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    language = serializers.CharField(read_only=True, help_text="fr, en, or empty (French).")
    status = serializers.SerializerMethodField(
        help_text="scheduled, sent, reminded, cancelled, or closed: the customer reviewed or "
        "declined (one status, so that a brand cannot tell who wrote which review)."
    )

    class Meta:
        model = Invitation
        fields = (
            "id",
            "email",
            "name",
            "order_reference",
            "purchase_date",
            "place",
            "product",
            "language",
            "status",
            "created_at",
            "send_after",
            "sent_at",
            "reminded_at",
        )

    def get_status(self, invitation: Invitation) -> str:
        return status_for_brand(invitation)


class RowErrorOutputSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="1-based position in `invitations`.")
    # A field named like Serializer.errors: the metaclass takes it out of the class attributes.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


class InvitationBatchOutputSerializer(serializers.Serializer):
    created = InvitationOutputSerializer(many=True)
    duplicates = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Positions skipped: this order and address were already invited.",
    )
    errors = RowErrorOutputSerializer(  # type: ignore[assignment]
        many=True, help_text="Positions refused; nothing stored."
    )


def _brand(slug: str) -> Brand:
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    return brand


def _row(number: int, item: dict[str, Any]) -> InvitationRow:
    """An item of a batch; one the serializer refuses keeps its other fields, so that the
    report lists every problem of the item once."""
    s = InvitationItemSerializer(data=item)
    if s.is_valid():
        return InvitationRow(number=number, **s.validated_data)
    problems = tuple(
        (name, str(message)) for name, messages in s.errors.items() for message in messages
    )
    text = {
        name: str(item.get(name, ""))
        for name in ("email", "order_reference", "name", "place", "product", "language")
    }
    raw_date = str(item.get("purchase_date", ""))
    purchase = None if "purchase_date" in s.errors else parse_date(raw_date)
    return InvitationRow(number=number, purchase_date=purchase, problems=problems, **text)


def _batch_output(batch: InvitationBatch) -> dict[str, Any]:
    errors = []
    for error in batch.errors:
        by_field: dict[str, list[str]] = {}
        for name, message in error.problems:
            by_field.setdefault(name or "non_field_errors", []).append(message)
        errors.append({"index": error.number, "errors": by_field})
    return {
        "created": InvitationOutputSerializer(batch.created, many=True).data,
        "duplicates": batch.duplicates,
        "errors": errors,
    }


class BrandInvitationListCreateApi(ListAPIView):
    """GET: the brand's invitations, newest first. POST: invite one customer (the fields of an
    invitation and `customers_only`: 201, or 409 when this order and address were already
    invited) or a batch (`customers_only` and `invitations`: 200 with what was created, skipped
    and refused, item by item; refused items store nothing). Owners and managers only, or a
    brand API token with the "invite" scope."""

    authentication_classes = TOKEN_AUTHENTICATION
    permission_classes = [IsAuthenticated, token_scope("invite")]
    serializer_class = InvitationOutputSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invitations"

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        brand = _brand(self.kwargs["slug"])
        ensure_can_invite(user=authenticated_user(self.request), brand=brand)
        return list_brand_invitations(brand_id=brand.pk)

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="InvitationCreate",
            serializers=[InvitationSingleInputSerializer, InvitationBatchInputSerializer],
            resource_type_field_name=None,
        ),
        responses={
            201: InvitationOutputSerializer,
            200: InvitationBatchOutputSerializer,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        brand = _brand(slug)
        actor = authenticated_user(request)
        ensure_can_invite(user=actor, brand=brand)
        if isinstance(request.data, dict) and "invitations" in request.data:
            s = InvitationBatchInputSerializer(data=request.data)
            s.is_valid(raise_exception=True)
            rows = [_row(n, item) for n, item in enumerate(s.validated_data["invitations"], 1)]
            batch = create_invitations(
                brand=brand,
                actor=actor,
                rows=rows,
                customers_only=s.validated_data["customers_only"],
                source="api",
            )
            return Response(_batch_output(batch), status=status.HTTP_200_OK)
        single = InvitationSingleInputSerializer(data=request.data)
        single.is_valid(raise_exception=True)
        invitation = create_invitation(
            brand=brand, actor=actor, source="api", **single.validated_data
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


class BrandInvitationCancelApi(APIView):
    """Cancel an invitation not yet used: nothing more is sent, its link stops working."""

    authentication_classes = TOKEN_AUTHENTICATION
    permission_classes = [IsAuthenticated, token_scope("invite")]

    @extend_schema(request=None, responses=InvitationOutputSerializer)
    def post(self, request: Request, slug: str, invitation_id: int) -> Response:
        invitation = cancel_invitation(
            brand=_brand(slug), invitation_id=invitation_id, actor=authenticated_user(request)
        )
        return Response(InvitationOutputSerializer(invitation).data)
