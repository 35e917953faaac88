"""The author's API for the proof of experience a moderator asked for (NF-COL-5, FR-17)."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ApplicationError, NotFoundError
from config.requests import authenticated_user
from moderation.selectors import get_latest_proof_request
from reviews.proof_views import proof_body_too_large, proof_too_large_message
from reviews.selectors import get_review
from reviews.services import upload_review_proof


class ProofTooLargeError(ApplicationError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "proof_too_large"


class AuthorProofOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class ReviewProofApi(APIView):
    """GET: the proof asked for my review (status, deadline). POST, multipart with the field
    `document` (PDF, JPEG or PNG, checked by content; PROOF_MAX_BYTES at most): send it."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        document = serializers.FileField()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication, whose CSRF check reads (and stores) the body.
        if request.method == "POST" and proof_body_too_large(request._request):
            raise ProofTooLargeError(proof_too_large_message())
        super().initial(request, *args, **kwargs)

    @extend_schema(responses=AuthorProofOutputSerializer)
    def get(self, request: Request, review_id: int) -> Response:
        review = get_review(review_id=review_id)
        if review is None or review.author_id != authenticated_user(request).pk:
            raise NotFoundError(_("This review does not exist."))
        proof = get_latest_proof_request(kind="review", object_id=str(review.pk))
        if proof is None:
            raise NotFoundError(
                _("No proof is requested for this review."), code="no_proof_requested"
            )
        return Response(AuthorProofOutputSerializer(proof).data)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={201: AuthorProofOutputSerializer},
    )
    def post(self, request: Request, review_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        proof = upload_review_proof(
            review_id=review_id,
            author=authenticated_user(request),
            document=s.validated_data["document"],
        )
        return Response(AuthorProofOutputSerializer(proof).data, status=status.HTTP_201_CREATED)
