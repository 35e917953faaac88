from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.requests import authenticated_user
from moderation.models import Appeal
from moderation.services import APPEAL_EXPLANATION_MAX_LENGTH, file_appeal


class FiledAppealSerializer(serializers.ModelSerializer):
    decision_id = serializers.IntegerField(allow_null=True)
    report_id = serializers.IntegerField(allow_null=True)
    decision_due_by = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = (
            "id",
            "decision_id",
            "report_id",
            "explanation",
            "status",
            "created_at",
            "decision_due_by",
        )

    def get_decision_due_by(self, appeal: Appeal) -> str:
        return serializers.DateTimeField().to_representation(
            appeal.created_at + settings.APPEAL_DECISION_MAX_DELAY
        )


class AppealCreateApi(APIView):
    """Contest a decision (DSA art. 20), free, within six months of being told: the author of
    restricted content gives `decision_id`, a reporter whose report was dismissed `report_id`.
    One appeal per decision; a moderator who did not take the decision examines it."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        decision_id = serializers.IntegerField(required=False, min_value=1)
        report_id = serializers.IntegerField(required=False, min_value=1)
        explanation = serializers.CharField(max_length=APPEAL_EXPLANATION_MAX_LENGTH)

    @extend_schema(request=InputSerializer, responses={201: FiledAppealSerializer})
    def post(self, request: Request) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        appeal = file_appeal(appellant=authenticated_user(request), **s.validated_data)
        return Response(FiledAppealSerializer(appeal).data, status=status.HTTP_201_CREATED)
