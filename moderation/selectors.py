"""Reads of the moderation engine's records for other apps (R4)."""

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from audit.models import AuditEvent
from moderation.models import Submission


def list_decision_events(*, kind: str, object_id: str) -> QuerySet[AuditEvent]:
    """The audit events of the engine's decisions on one piece of content, oldest first.

    One query: the submission is found by (kind, object_id), its unique key, in a subquery.
    The events carry internal details (signals and their evidence, the moderator's id): callers
    that publish them choose the fields they show.
    """
    submission_ids = (
        Submission.objects.filter(kind=kind, object_id=str(object_id))
        .annotate(pk_text=Cast("pk", output_field=CharField()))
        .values("pk_text")
    )
    return AuditEvent.objects.filter(
        object_type=Submission._meta.label_lower,
        object_id__in=submission_ids,
        action=AuditEvent.Action.MODERATION_DECIDED,
    ).order_by("id")
