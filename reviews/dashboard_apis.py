"""The brand's figures through the API (issue 6): the dashboard's tables as JSON, and as CSV.
For the brand's members (owner, manager, agent); everyone else gets a 403 (see
reviews.dashboard_views for why moderators and operators do too)."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.models import Brand
from brands.selectors import get_brand, is_brand_member
from config.errors import PermissionDeniedError
from config.requests import authenticated_user
from reviews.dashboard import BrandDashboard, get_brand_dashboard, parse_period
from reviews.dashboard_views import csv_response


class PeriodInputSerializer(serializers.Serializer):
    start = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="First month, YYYY-MM (default: 11 months before end).",
    )
    end = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Last month included, YYYY-MM (default: this month).",
    )


class RatingFiguresSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='month (YYYY-MM), place id ("" without a place), channel')
    name = serializers.CharField(source="label")
    published = serializers.IntegerField(help_text="published in the period, still published")
    mean = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    received = serializers.IntegerField(help_text="submitted in the period, whatever their fate")


class MonthFiguresSerializer(RatingFiguresSerializer):
    month = serializers.DateField()
    replied = serializers.IntegerField(help_text="of the published, those with a published reply")
    reply_rate = serializers.FloatField(allow_null=True)


class ReplyFiguresSerializer(serializers.Serializer):
    published = serializers.IntegerField()
    replied = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    median_delay_seconds = serializers.FloatField(
        allow_null=True, help_text="review published -> its reply first published"
    )


class NpsSerializer(serializers.Serializer):
    answers = serializers.IntegerField()
    promoters = serializers.IntegerField(help_text="answers 9-10")
    passives = serializers.IntegerField(help_text="answers 7-8")
    detractors = serializers.IntegerField(help_text="answers 0-6")
    score = serializers.IntegerField(allow_null=True, help_text="-100..100, null without answers")


class ThemeSerializer(serializers.Serializer):
    term = serializers.CharField()
    reviews = serializers.IntegerField(help_text="reviews mentioning it")


class RatingThemesSerializer(serializers.Serializer):
    rating = serializers.IntegerField()
    reviews_read = serializers.IntegerField()
    themes = ThemeSerializer(many=True)


class InvitationMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    sent = serializers.IntegerField()
    reviewed = serializers.IntegerField()


class InvitationFiguresSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text="invitations first sent in the period")
    reviewed = serializers.IntegerField(help_text="of which a review was written")
    conversion = serializers.FloatField(allow_null=True)
    by_month = InvitationMonthSerializer(many=True)
    invited_reviews = serializers.IntegerField()
    invited_mean = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    spontaneous_reviews = serializers.IntegerField()
    spontaneous_mean = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    invited_share = serializers.FloatField(allow_null=True)
    rating_gap = serializers.DecimalField(
        max_digits=2, decimal_places=1, allow_null=True, help_text="invited mean - spontaneous"
    )
    gating_signal = serializers.BooleanField(help_text="a gap large enough to suggest gating")


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="the first day of the last month included")


class DashboardOutputSerializer(serializers.Serializer):
    period = PeriodSerializer()
    overall = RatingFiguresSerializer()
    by_month = MonthFiguresSerializer(many=True)
    by_place = RatingFiguresSerializer(many=True)
    by_channel = RatingFiguresSerializer(many=True)
    replies = ReplyFiguresSerializer()
    nps = NpsSerializer()
    themes = RatingThemesSerializer(many=True)
    invitations = InvitationFiguresSerializer()


def _member_dashboard(request: Request, slug: str) -> tuple[Brand, BrandDashboard]:
    brand = get_brand(slug=slug)
    if brand is None:
        raise NotFound()
    if not is_brand_member(user_id=authenticated_user(request).pk, brand_id=brand.pk):
        raise PermissionDeniedError(
            _("Only the members of the brand can read its figures."), code="not_brand_member"
        )
    s = PeriodInputSerializer(data=request.query_params)
    s.is_valid(raise_exception=True)
    period = parse_period(start=s.validated_data.get("start"), end=s.validated_data.get("end"))
    return brand, get_brand_dashboard(brand_id=brand.pk, brand_name=brand.name, period=period)


class BrandDashboardApi(APIView):
    """The brand's figures over whole months (default the last 12, at most 24): rating and
    volume per month, per place and per channel, replies, NPS, themes per rating, invitations.
    Members of the brand only; a bad month or period is a 400 naming `start` or `end`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[PeriodInputSerializer], responses=DashboardOutputSerializer)
    def get(self, request: Request, slug: str) -> Response:
        _brand, dashboard = _member_dashboard(request, slug)
        return Response(DashboardOutputSerializer(dashboard).data)


class BrandDashboardCsvApi(APIView):
    """The same figures as CSV: one row per figure, columns table, dimension, figure, value."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[PeriodInputSerializer],
        responses={200: OpenApiResponse(OpenApiTypes.STR, description="text/csv")},
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        brand, dashboard = _member_dashboard(request, slug)
        return csv_response(dashboard, slug=brand.slug)
