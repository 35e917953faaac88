"""The brand's reply to a review, through the API: POST the first version, PUT a new one.
For the members of the reviewed brand; the public reads the published reply in the review's
output (reviews.serializers.PublicReviewSerializer)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.authentication import TOKEN_AUTHENTICATION, token_scope
from config.requests import authenticated_user
from reviews.models import ReplyVersion, Review
from reviews.reply_services import reply_to_review, update_reply


class ReplyVersionOutputSerializer(serializers.ModelSerializer):
    """A version of the reply as the brand's members see it: its status, and the rule that
    refused it, if any."""

    review_id = serializers.IntegerField(source="reply_id")
    version = serializers.IntegerField(source="number")
    decision_due_by = serializers.DateTimeField()

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
        )


class ReviewReplyApi(APIView):
    """POST: the brand replies to a published review (once; 409 after). PUT: a new version of
    the reply. Free; moderated before publication, within REPLY_DECISION_MAX_DELAY. A brand
    API token with the "reply" scope may call it: the reply's author is the token's creator."""

    authentication_classes = TOKEN_AUTHENTICATION
    permission_classes = [IsAuthenticated, token_scope("reply")]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(trim_whitespace=False)

    def token_brand_id(self) -> int | None:
        """The brand a token must belong to: the reviewed brand (see brands.authentication)."""
        return (
            Review.objects.filter(pk=self.kwargs["review_id"])
            .values_list("brand_id", flat=True)
            .first()
        )

    @extend_schema(request=InputSerializer, responses={201: ReplyVersionOutputSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        version = reply_to_review(
            review_id=review_id, member=authenticated_user(request), text=s.validated_data["text"]
        )
        return Response(ReplyVersionOutputSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InputSerializer, responses={201: ReplyVersionOutputSerializer})
    def put(self, request: Request, review_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        version = update_reply(
            review_id=review_id, member=authenticated_user(request), text=s.validated_data["text"]
        )
        return Response(ReplyVersionOutputSerializer(version).data, status=status.HTTP_201_CREATED)
