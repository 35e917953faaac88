from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotFoundError
from config.requests import authenticated_user
from moderation.filters import QUEUE_AGES, QueueFilter
from moderation.models import ProofRequest, WorkItem
from moderation.rules import CHANGELOG, RULES, RULESET_VERSION, rules_for_kind
from moderation.selectors import (
    DelayStats,
    get_dossier,
    get_moderation_measures,
    get_work_item,
    list_cluster_items,
    list_queue_with_counts,
)
from moderation.services import (
    ACTIONS_BY_KIND,
    BULK_MAX_ITEMS,
    claim_next_work_item,
    claim_work_item,
    decide_work_item,
    decide_work_items_in_bulk,
    ensure_can_moderate,
    release_work_item,
)
from moderation.transparency import InvalidPeriod, compute_transparency, make_period
from moderation.workspace_forms import ACTION_LABELS


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
    legal_ground = serializers.CharField()


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


# THE MODERATORS' WORKSPACE (issue 4)
# ------------------------------------------------------------------------------


class IsModerator(BasePermission):
    """Moderators and operators (the services check each item: language, brand ties, DSA-20)."""

    message = gettext_lazy("Only moderators work the queue.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_moderator)


class IsOperator(BasePermission):
    message = gettext_lazy("Only operators see the moderation measures.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_operator)


def _queue_filter(request: Request, data: Any = None) -> QueueFilter:
    """The queue's filters, validated: a value it does not understand is a 400 naming it."""
    moderator = authenticated_user(request)
    filterset = QueueFilter(
        data if data is not None else request.query_params,
        languages=moderator.moderation_languages,
    )
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset


class BrandRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SubmissionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    object_id = serializers.CharField()
    title = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField()


class WorkItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    language = serializers.CharField()
    brand = BrandRefSerializer()
    rule_code = serializers.CharField()
    trusted_flagger = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.SerializerMethodField()
    claimed_by = serializers.SerializerMethodField()
    claim_expires_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    submission = SubmissionRefSerializer()

    def get_trusted_flagger(self, item: WorkItem) -> bool:
        return item.priority == 0

    def get_overdue(self, item: WorkItem) -> bool:
        return item.state == WorkItem.State.OPEN and item.due_at < timezone.now()

    def get_claimed_by(self, item: WorkItem) -> str | None:
        """The pseudonym of whoever holds a live claim."""
        live = item.claim_expires_at is not None and item.claim_expires_at > timezone.now()
        return item.claimed_by.pseudonym if item.claimed_by_id and live else None  # type: ignore[union-attr]


class QueueParamsSerializer(serializers.Serializer):
    """The queue's filters, for the schema (moderation.filters.QueueFilter validates them)."""

    kind = serializers.ChoiceField(choices=WorkItem.Kind.values, required=False)
    language = serializers.CharField(required=False)
    brand = serializers.IntegerField(min_value=1, required=False)
    rule = serializers.ChoiceField(choices=sorted(RULES), required=False)
    age = serializers.ChoiceField(choices=sorted(QUEUE_AGES), required=False)


class QueuePage(PageNumberPagination):
    page_size = 50

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["counts"] = {
            "type": "object",
            "description": "Open items per kind, under the other filters.",
            "additionalProperties": {"type": "integer"},
        }
        return paginated


class QueueListApi(ListAPIView):
    """GET: the open items this moderator may take, trusted flaggers first then by due time,
    filtered by `kind`, `language`, `brand` (id), `rule`, `age` (1h, 1d, 3d, 7d); with `counts`
    per kind under the other filters."""

    permission_classes = [IsModerator]
    serializer_class = WorkItemOutputSerializer
    pagination_class = QueuePage
    filter_backends: list[Any] = []  # QueueFilter is applied by the selector (R7 note)

    def get_queryset(self) -> QuerySet[WorkItem]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return WorkItem.objects.none()
        filters = _queue_filter(self.request).queue_filters
        items, self.counts = list_queue_with_counts(
            moderator=authenticated_user(self.request), **filters
        )
        return items

    @extend_schema(parameters=[QueueParamsSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        response.data["counts"] = self.counts
        return response


class QueueNextApi(APIView):
    """Claim the first item of the queue under the same filters (in the body or the query
    string); 204 when nothing is left."""

    permission_classes = [IsModerator]

    @extend_schema(
        parameters=[QueueParamsSerializer],
        request=None,
        responses={200: WorkItemOutputSerializer, 204: None},
    )
    def post(self, request: Request) -> Response:
        filters = _queue_filter(request, request.data or request.query_params).queue_filters
        item = claim_next_work_item(moderator=authenticated_user(request), **filters)
        if item is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(WorkItemOutputSerializer(get_work_item(item_id=item.pk)).data)


class SignalOutputSerializer(serializers.Serializer):
    check_name = serializers.CharField()
    rule_code = serializers.CharField()
    score = serializers.FloatField()
    evidence = serializers.CharField()


class DecisionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.CharField()
    rule_code = serializers.CharField()
    risk_score = serializers.FloatField()
    explanation = serializers.ListField(child=serializers.CharField())
    decided_by = serializers.CharField(source="decided_by.pseudonym", allow_null=True)
    decided_at = serializers.DateTimeField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source
    note = serializers.CharField()
    ruleset_version = serializers.CharField()


class ReportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source
    trusted_flagger = serializers.BooleanField()
    reporter = serializers.CharField(source="reporter.pseudonym", allow_null=True)
    notifier_name = serializers.CharField()
    rule_code = serializers.CharField()
    flag_reason = serializers.CharField()
    explanation = serializers.CharField()
    location_url = serializers.CharField()
    created_at = serializers.DateTimeField()
    status = serializers.CharField()
    manifestly_unfounded = serializers.BooleanField()


class AppealOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    appellant = serializers.CharField(source="appellant_label")
    decision_id = serializers.IntegerField(allow_null=True)
    report_id = serializers.IntegerField(allow_null=True)
    explanation = serializers.CharField()
    created_at = serializers.DateTimeField()
    status = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.pseudonym", allow_null=True)
    reasons = serializers.CharField()


class ProofOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    uploaded_at = serializers.DateTimeField(allow_null=True)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    document_url = serializers.SerializerMethodField()

    def get_document_url(self, proof: ProofRequest) -> str | None:
        """Where a moderator downloads the document (helper view of the workspace)."""
        if not proof.document:
            return None
        try:
            return reverse("moderation:proof-document", args=[proof.pk])
        except NoReverseMatch:
            return None


class ContentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    object_id = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    language = serializers.CharField()
    brand = BrandRefSerializer()
    place = serializers.CharField(source="place.name", allow_null=True)
    submitted_at = serializers.DateTimeField()
    author = serializers.CharField(source="author.pseudonym")
    author_joined_at = serializers.DateTimeField()
    author_email_domain = serializers.CharField()
    state = serializers.CharField()
    risk_score = serializers.FloatField(allow_null=True)


class SubmissionRowOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="submission.pk")
    kind = serializers.CharField(source="submission.kind")
    object_id = serializers.CharField(source="submission.object_id")
    title = serializers.CharField(source="submission.title")
    rating = serializers.IntegerField(source="submission.rating", allow_null=True)
    brand = BrandRefSerializer(source="submission.brand")
    author = serializers.CharField(source="submission.author.pseudonym")
    submitted_at = serializers.DateTimeField(source="submission.submitted_at")
    state = serializers.CharField(source="submission.state")
    latest_outcome = serializers.CharField()
    latest_rule_code = serializers.CharField()
    open_item_id = serializers.IntegerField(allow_null=True)
    similarity = serializers.FloatField(allow_null=True)


class RelatedOutputSerializer(serializers.Serializer):
    same_network = SubmissionRowOutputSerializer(many=True)
    same_device = SubmissionRowOutputSerializer(many=True)
    near_duplicates = SubmissionRowOutputSerializer(many=True)
    same_burst = SubmissionRowOutputSerializer(many=True)


class BrandDayOutputSerializer(serializers.Serializer):
    day = serializers.DateField()
    per_star = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    new_accounts = serializers.IntegerField()


class BrandPatternOutputSerializer(serializers.Serializer):
    since = serializers.DateField()
    total = serializers.IntegerField()
    new_accounts = serializers.IntegerField()
    new_account_share = serializers.FloatField(allow_null=True)
    days = BrandDayOutputSerializer(many=True)


class WorkItemDetailApi(APIView):
    """Everything the item page shows. A read: claiming is `POST .../claim/`."""

    permission_classes = [IsModerator]

    class OutputSerializer(serializers.Serializer):
        item = WorkItemOutputSerializer()
        content = ContentOutputSerializer()
        report = ReportOutputSerializer(allow_null=True)
        appeal = AppealOutputSerializer(allow_null=True)
        contested_decision = DecisionOutputSerializer(allow_null=True)
        proof = ProofOutputSerializer(allow_null=True)
        actions = serializers.ListField(child=serializers.CharField())
        rules = serializers.ListField(child=serializers.CharField())
        signals = SignalOutputSerializer(many=True)
        risk_explanation = serializers.ListField(child=serializers.CharField())
        decisions = DecisionOutputSerializer(many=True)
        reports = ReportOutputSerializer(many=True)
        appeals = AppealOutputSerializer(many=True)
        proofs = ProofOutputSerializer(many=True)
        author_submissions = SubmissionRowOutputSerializer(many=True)
        related = RelatedOutputSerializer()
        cluster_item_ids = serializers.ListField(child=serializers.IntegerField())
        brand_pattern = BrandPatternOutputSerializer()

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, item_id: int) -> Response:
        moderator = authenticated_user(request)
        item = get_work_item(item_id=item_id)
        if item is None:
            raise NotFoundError(gettext("This work item does not exist."))
        ensure_can_moderate(moderator=moderator, item=item)
        dossier = get_dossier(submission=item.submission)
        cluster = (
            list_cluster_items(moderator=moderator, item=item, submission_ids=dossier.related_ids)
            if item.state == WorkItem.State.OPEN
            else []
        )
        data = {
            "item": item,
            "content": item.submission,
            "report": item.report,
            "appeal": item.appeal,
            "contested_decision": item.appeal.decision if item.appeal else None,
            "proof": item.proof,
            "actions": list(ACTIONS_BY_KIND[item.kind]),
            "rules": [rule.code for rule in rules_for_kind(item.submission.kind)],
            "signals": dossier.signals,
            "risk_explanation": dossier.risk_explanation,
            "decisions": dossier.decisions,
            "reports": dossier.reports,
            "appeals": dossier.appeals,
            "proofs": dossier.proofs,
            "author_submissions": dossier.author_submissions,
            "related": dossier,
            "cluster_item_ids": [other.pk for other in cluster],
            "brand_pattern": dossier.brand_pattern,
        }
        return Response(self.OutputSerializer(data).data)


class WorkItemClaimApi(APIView):
    """Take (or renew) the lease on an item; 409 if another moderator holds it."""

    permission_classes = [IsModerator]

    @extend_schema(request=None, responses=WorkItemOutputSerializer)
    def post(self, request: Request, item_id: int) -> Response:
        claim_work_item(item_id=item_id, moderator=authenticated_user(request))
        return Response(WorkItemOutputSerializer(get_work_item(item_id=item_id)).data)


class WorkItemReleaseApi(APIView):
    permission_classes = [IsModerator]

    @extend_schema(request=None, responses=WorkItemOutputSerializer)
    def post(self, request: Request, item_id: int) -> Response:
        release_work_item(item_id=item_id, moderator=authenticated_user(request))
        return Response(WorkItemOutputSerializer(get_work_item(item_id=item_id)).data)


class WorkItemDecideApi(APIView):
    """Decide an item with a rule of the code of conduct (required to restrict). 409 if it was
    decided meanwhile or another moderator holds it."""

    permission_classes = [IsModerator]

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=sorted(ACTION_LABELS))
        rule_code = serializers.CharField(max_length=64, required=False, allow_blank=True)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        reasons = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        manifestly_unfounded = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses=WorkItemOutputSerializer)
    def post(self, request: Request, item_id: int) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        decide_work_item(item_id=item_id, moderator=authenticated_user(request), **s.validated_data)
        return Response(WorkItemOutputSerializer(get_work_item(item_id=item_id)).data)


class WorkItemBulkDecideApi(APIView):
    """One action and rule for several items, each decided on its own (its own transaction,
    decision and audit events); the items this moderator may not decide are skipped with the
    reason."""

    permission_classes = [IsModerator]

    class InputSerializer(serializers.Serializer):
        item_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1), min_length=1, max_length=BULK_MAX_ITEMS
        )
        action = serializers.ChoiceField(choices=sorted(ACTION_LABELS))
        rule_code = serializers.CharField(max_length=64, required=False, allow_blank=True)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        class ResultSerializer(serializers.Serializer):
            item_id = serializers.IntegerField()
            decided = serializers.BooleanField()
            code = serializers.CharField()
            detail = serializers.CharField(source="reason")

        results = ResultSerializer(many=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        results = decide_work_items_in_bulk(
            moderator=authenticated_user(request), **s.validated_data
        )
        return Response(self.OutputSerializer({"results": results}).data)


class ModerationMeasuresApi(APIView):
    """Moderation delays of a period (default: the last 30 days), in seconds: p50, p90 and the
    maximum per kind of work item, per star rating and per decision path. Operators only."""

    permission_classes = [IsOperator]

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
        end = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])

    class DelaySerializer(serializers.Serializer):
        count = serializers.IntegerField()
        p50_seconds = serializers.SerializerMethodField()
        p90_seconds = serializers.SerializerMethodField()
        max_seconds = serializers.SerializerMethodField()

        def get_p50_seconds(self, stats: DelayStats) -> float | None:
            return stats.p50.total_seconds() if stats.p50 is not None else None

        def get_p90_seconds(self, stats: DelayStats) -> float | None:
            return stats.p90.total_seconds() if stats.p90 is not None else None

        def get_max_seconds(self, stats: DelayStats) -> float | None:
            return stats.maximum.total_seconds() if stats.maximum is not None else None

    @extend_schema(parameters=[InputSerializer], responses=dict)
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            period = make_period(**params.validated_data)
        except InvalidPeriod as error:
            raise ValidationError({"detail": str(error), "code": "invalid_period"}) from None
        since, until = period.bounds()
        found = get_moderation_measures(since=since, until=until)

        def delays(stats: dict[Any, DelayStats]) -> dict[str, Any]:
            return {str(key): self.DelaySerializer(value).data for key, value in stats.items()}

        return Response(
            {
                "start": period.start,
                "end": period.end,
                "by_item_kind": delays(found.by_item_kind),
                "by_rating": delays(found.by_rating),
                "by_path": delays(found.by_path),
            }
        )
