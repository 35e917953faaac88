"""The brand's reply to a review, through the API: POST the first version, PUT a new one.
For the members of the reviewed brand; the public reads the published reply in the review's
output (reviews.serializers.PublicReviewSerializer)."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.authentication import TOKEN_AUTHENTICATION, token_scope
from config.requests import authenticated_user
from reviews.models import ReplyVersion, Review
from reviews.reply_media import AttachmentUpload
from reviews.reply_services import reply_to_review, update_reply
from reviews.serializers import ReplyMediaSerializer


class ReplyVersionOutputSerializer(serializers.ModelSerializer):
    """A version of the reply as the brand's members see it: its status, and the rule that
    refused it, if any."""

    review_id = serializers.IntegerField(source="reply_id")
    version = serializers.IntegerField(source="number")
    decision_due_by = serializers.DateTimeField()
    attachments = ReplyMediaSerializer(source="media", many=True)

    class Meta:
        model = ReplyVersion
        fields = (
            "id",
            "review_id",
            "version",
            "status",
            "text",
            "language",
            "submitted_at",
            "decision_due_by",
            "published_at",
            "rule_code",
            "attachments",
        )


class ReviewReplyApi(APIView):
    """POST: the brand replies to a published review (once; 409 after). PUT: a new version of
    the reply. Free; moderated before publication, within REPLY_DECISION_MAX_DELAY. A brand
    API token with the "reply" scope may call it: the reply's author is the token's creator.

    JSON for a text alone; multipart to attach photos or videos (NF-RES-6): `attachments`
    (files) and `descriptions` (one text alternative per file, in the same order). A new
    version keeps the previous one's attachments unless `keep_attachments` is false."""

    authentication_classes = TOKEN_AUTHENTICATION
    permission_classes = [IsAuthenticated, token_scope("reply")]
    parser_classes = [JSONParser, MultiPartParser]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(trim_whitespace=False)
        attachments = serializers.ListField(
            child=serializers.FileField(), required=False, default=list
        )
        descriptions = serializers.ListField(
            child=serializers.CharField(trim_whitespace=False, allow_blank=True),
            required=False,
            default=list,
        )
        keep_attachments = serializers.BooleanField(required=False, default=True)

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            if len(data["descriptions"]) != len(data["attachments"]):
                raise serializers.ValidationError(
                    {"descriptions": _("Give one description per attached file, in order.")}
                )
            data["uploads"] = [
                AttachmentUpload(file=file, description=description)
                for file, description in zip(data["attachments"], data["descriptions"], strict=True)
            ]
            return data

    def token_brand_id(self) -> int | None:
        """The brand a token must belong to: the reviewed brand (see brands.authentication)."""
        return (
            Review.objects.filter(pk=self.kwargs["review_id"])
            .values_list("brand_id", flat=True)
            .first()
        )

    def _input(self, request: Request) -> dict[str, Any]:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return s.validated_data

    def _created(self, request: Request, version: ReplyVersion) -> Response:
        output = ReplyVersionOutputSerializer(version, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InputSerializer, responses={201: ReplyVersionOutputSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        data = self._input(request)
        version = reply_to_review(
            review_id=review_id,
            member=authenticated_user(request),
            text=data["text"],
            attachments=data["uploads"],
        )
        return self._created(request, version)

    @extend_schema(request=InputSerializer, responses={201: ReplyVersionOutputSerializer})
    def put(self, request: Request, review_id: int) -> Response:
        data = self._input(request)
        version = update_reply(
            review_id=review_id,
            member=authenticated_user(request),
            text=data["text"],
            attachments=data["uploads"],
            keep_attachments=data["keep_attachments"],
        )
        return self._created(request, version)
