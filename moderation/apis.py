from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.rules import CHANGELOG, RULES, RULESET_VERSION
from moderation.transparency import InvalidPeriod, compute_transparency, make_period


class RuleOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    category = serializers.CharField()
    action = serializers.CharField()
    automatic = serializers.BooleanField()
    title_fr = serializers.CharField()
    title_en = serializers.CharField()
    explanation_fr = serializers.CharField()
    explanation_en = serializers.CharField()
    dsa_ground = serializers.CharField()
    dsa_category = serializers.CharField()
    dsa_keywords = serializers.ListField(child=serializers.CharField())
    kinds = serializers.ListField(child=serializers.CharField())


class ChangelogOutputSerializer(serializers.Serializer):
    version = serializers.CharField()
    published_on = serializers.DateField()
    changes_fr = serializers.CharField()
    changes_en = serializers.CharField()


class CodeOfConductOutputSerializer(serializers.Serializer):
    version = serializers.CharField()
    rules = RuleOutputSerializer(many=True)
    changelog = ChangelogOutputSerializer(many=True)


class CodeOfConductApi(APIView):
    """The published code of conduct, generated from the rule registry the pipeline applies."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CodeOfConductOutputSerializer)
    def get(self, request: Request) -> Response:
        data = {
            "version": RULESET_VERSION,
            "rules": list(RULES.values()),
            "changelog": list(CHANGELOG),
        }
        return Response(CodeOfConductOutputSerializer(data).data)


class TransparencyApi(APIView):
    """The live transparency report of a period (default: the last 30 days), as JSON.

    Computed by `moderation.transparency.compute_transparency`, the same figures as the page and
    `manage.py transparency_report` (DSA-28, EU-4, FTC-8, ISO-PUB-2).
    """

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
        end = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
        brand_id = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(parameters=[InputSerializer], responses=dict)
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            period = make_period(start=data.get("start"), end=data.get("end"))
        except InvalidPeriod as error:
            raise ValidationError({"detail": str(error), "code": "invalid_period"}) from None
        report = compute_transparency(period=period, brand_id=data.get("brand_id"))
        return Response(report.as_dict())
