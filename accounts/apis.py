from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import User
from accounts.privacy import REVIEW_CHOICES, erase_account, export_personal_data
from accounts.services import change_user_role, set_moderation_languages
from config.errors import PermissionDeniedError
from config.requests import authenticated_user


class MeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "pseudonym",
            "role",
            "language",
            "email_verified_at",
            "moderation_languages",
        )


class PublicUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "pseudonym", "role", "moderation_languages")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(request.user).data)


class TokenObtainApi(APIView):
    """Exchange email and password for an API token. Throttled; verified accounts only."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            email=s.validated_data["email"].lower(),
            password=s.validated_data["password"],
        )
        if user is None:
            raise serializers.ValidationError({"detail": _("Wrong email or password.")})
        if not user.is_active or user.email_verified_at is None:
            raise PermissionDeniedError(
                _("Please verify your email address first."), code="email_not_verified"
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class UserRoleChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=User.Role.choices)

    @extend_schema(request=InputSerializer, responses=PublicUserSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = change_user_role(
            user_id=user_id, role=s.validated_data["role"], actor=authenticated_user(request)
        )
        return Response(PublicUserSerializer(user).data)


class UserLanguagesChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        languages = serializers.ListField(child=serializers.CharField(max_length=8), max_length=10)

    @extend_schema(request=InputSerializer, responses=PublicUserSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = set_moderation_languages(
            user_id=user_id,
            languages=s.validated_data["languages"],
            actor=authenticated_user(request),
        )
        return Response(PublicUserSerializer(user).data)


class MyDataExportApi(APIView):
    """Everything Voix holds about the logged-in account, as JSON (GDPR art. 15 and 20)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        user = authenticated_user(request)
        return Response(export_personal_data(user_id=user.pk, actor=user))


class AccountErasureApi(APIView):
    """Erase the logged-in account (GDPR art. 17); the password confirms it."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        reviews = serializers.ChoiceField(choices=REVIEW_CHOICES)
        password = serializers.CharField(trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        user = authenticated_user(request)
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        if not user.check_password(s.validated_data["password"]):
            raise serializers.ValidationError({"password": [_("Wrong password.")]})
        erase_account(user_id=user.pk, actor=user, reviews=s.validated_data["reviews"])
        return Response(status=status.HTTP_204_NO_CONTENT)
