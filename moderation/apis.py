from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.rules import CHANGELOG, RULES, RULESET_VERSION


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
