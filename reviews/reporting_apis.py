"""Reporting a review through the API (DSA art. 16, FR-5), and a reporter's own reports."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.requests import authenticated_user
from moderation.models import Report
from moderation.selectors import list_reports_of_reporter
from reviews.reporting_forms import EXPLANATION_MAX_LENGTH
from reviews.reporting_views import content_url, report_appeal_url, report_max_delay
from reviews.services import flag_review, report_review
from reviews.views import client_ip


class ReviewReportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.ChoiceField(choices=Report.Source.choices)  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=Report.Status.choices)
    rule_code = serializers.CharField()
    flag_reason = serializers.CharField()
    kind = serializers.CharField(source="submission.kind")
    object_id = serializers.CharField(source="submission.object_id")
    title = serializers.CharField(source="submission.title")
    brand = serializers.CharField(source="submission.brand.slug")
    created_at = serializers.DateTimeField()
    decision_due_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_decision_due_by(self, report: Report) -> datetime:
        return report.created_at + report_max_delay(report)


class MyReportOutputSerializer(ReviewReportOutputSerializer):
    content_url = serializers.SerializerMethodField()
    appealed = serializers.BooleanField()
    appeal_url = serializers.SerializerMethodField(
        help_text="The form to contest a dismissal, while open (six months); empty otherwise."
    )

    def get_content_url(self, report: Report) -> str:
        return content_url(report)

    def get_appeal_url(self, report: Report) -> str:
        return report_appeal_url(report, now=self.context["now"])


class ReviewReportApi(APIView):
    """Report a published review. Anyone may send a notice of illegal content (`source`
    `illegal_content`, the default) with the DSA art. 16 fields; a verified account may report a
    breach of the code of conduct (`code_of_conduct`, with `rule_code`)."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        source = serializers.ChoiceField(  # type: ignore[assignment]  # the field's name
            choices=Report.Source.choices,  # brand flags have their own endpoint: 400
            default=Report.Source.ILLEGAL_CONTENT,
        )
        explanation = serializers.CharField(
            max_length=EXPLANATION_MAX_LENGTH, allow_blank=True, default=""
        )
        rule_code = serializers.CharField(max_length=64, allow_blank=True, default="")
        location_url = serializers.URLField(
            max_length=500,
            required=False,
            allow_blank=True,
            help_text="The exact location; omitted: the review's public page.",
        )
        notifier_name = serializers.CharField(max_length=200, allow_blank=True, default="")
        notifier_email = serializers.EmailField(allow_blank=True, default="")
        good_faith_confirmed = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses={201: ReviewReportOutputSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = request.user
        report = report_review(
            review_id=review_id,
            reporter=user if isinstance(user, User) and user.is_authenticated else None,
            client_ip=client_ip(request._request),
            **s.validated_data,
        )
        return Response(ReviewReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


class ReviewFlagApi(APIView):
    """A member of the reviewed brand flags a reasoned doubt about the review's authenticity:
    free, with a reason from the list and an explanation (FR-5)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        flag_reason = serializers.ChoiceField(
            choices=Report.FlagReason.choices, allow_blank=True, default=""
        )
        explanation = serializers.CharField(
            max_length=EXPLANATION_MAX_LENGTH, allow_blank=True, default=""
        )

    @extend_schema(request=InputSerializer, responses={201: ReviewReportOutputSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        report = flag_review(
            review_id=review_id,
            user=authenticated_user(request),
            client_ip=client_ip(request._request),
            **s.validated_data,
        )
        return Response(ReviewReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


class MyReportListApi(ListAPIView):
    """My reports and flags, newest first: status, decision date, and the link to contest a
    dismissal while it is open."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyReportOutputSerializer

    def get_queryset(self) -> QuerySet[Report]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Report.objects.none()
        return list_reports_of_reporter(reporter_id=authenticated_user(self.request).pk)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": timezone.now()}
