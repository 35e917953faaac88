"""The append-only, hash-chained audit trail: one row per state change, in every app.

Rows are written only by `audit.services.record_event`. On PostgreSQL a trigger refuses
UPDATE and DELETE; everywhere, the hash chain makes any rewrite detectable
(`manage.py verify_audit_trail`).
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        # accounts
        USER_SIGNED_UP = "user_signed_up", _("account created")
        EMAIL_VERIFIED = "email_verified", _("email address verified")
        USER_ROLE_CHANGED = "user_role_changed", _("role changed")
        USER_LANGUAGES_CHANGED = "user_languages_changed", _("moderation languages changed")
        ACCOUNT_DATA_EXPORTED = "account_data_exported", _("personal data exported")
        ACCOUNT_ERASED = "account_erased", _("account erased")
        PERSONAL_DATA_PURGED = "personal_data_purged", _("personal data past retention purged")
        # brands
        BRAND_CREATED = "brand_created", _("brand created")
        PLACE_CREATED = "place_created", _("place created")
        BRAND_CLAIM_REQUESTED = "brand_claim_requested", _("brand claim requested")
        BRAND_CLAIM_VERIFIED = "brand_claim_verified", _("brand claim verified by email")
        BRAND_CLAIM_APPROVED = "brand_claim_approved", _("brand claim approved by an operator")
        BRAND_CLAIM_REJECTED = "brand_claim_rejected", _("brand claim rejected by an operator")
        MEMBERSHIP_CREATED = "membership_created", _("brand member added")
        MEMBERSHIP_ROLE_CHANGED = "membership_role_changed", _("brand member role changed")
        MEMBERSHIP_REMOVED = "membership_removed", _("brand member removed")
        INVITATION_CREATED = "invitation_created", _("review invitation created")
        INVITATION_SENT = "invitation_sent", _("review invitation sent")
        INVITATION_REMINDED = "invitation_reminded", _("review invitation reminder sent")
        INVITATION_OPTED_OUT = "invitation_opted_out", _("customer declined review invitations")
        INVITATION_CANCELLED = "invitation_cancelled", _("review invitation cancelled")
        INVITATION_USED = "invitation_used", _("review written from an invitation")
        API_TOKEN_CREATED = "api_token_created", _("brand API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("brand API token revoked")
        WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint_created", _("brand webhook created")
        WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled", _("brand webhook disabled")
        # moderation
        SUBMISSION_RECEIVED = "submission_received", _("received for moderation")
        MODERATION_DECIDED = "moderation_decided", _("moderation decision")
        RULESET_PUBLISHED = "ruleset_published", _("code of conduct version published")
        WORK_ITEM_OPENED = "work_item_opened", _("added to the moderators' queue")
        WORK_ITEM_CLAIMED = "work_item_claimed", _("claimed by a moderator")
        WORK_ITEM_RELEASED = "work_item_released", _("released back to the queue")
        WORK_ITEM_CLOSED = "work_item_closed", _("work item closed")
        REPORT_FILED = "report_filed", _("report filed")
        REPORT_DECIDED = "report_decided", _("report decided")
        APPEAL_FILED = "appeal_filed", _("appeal filed")
        APPEAL_DECIDED = "appeal_decided", _("appeal decided")
        PROOF_REQUESTED = "proof_requested", _("proof of experience requested")
        PROOF_UPLOADED = "proof_uploaded", _("proof of experience uploaded")
        PROOF_DECIDED = "proof_decided", _("proof of experience examined")
        STATEMENT_ISSUED = "statement_issued", _("statement of reasons issued")
        REPORTING_SANCTIONED = "reporting_sanctioned", _("reporting misuse sanctioned")
        AUTHENTICITY_MODEL_TRAINED = (
            "authenticity_model_trained",
            _("authenticity model trained and activated"),
        )
        # reviews
        REVIEW_SUBMITTED = "review_submitted", _("review submitted")
        REVIEW_STATUS_CHANGED = "review_status_changed", _("review status changed")
        REVIEW_BADGES_CHANGED = "review_badges_changed", _("review labels or verification changed")
        REVIEW_VOTED_HELPFUL = "review_voted_helpful", _("review voted helpful")
        RATINGS_RECOMPUTED = "ratings_recomputed", _("ratings recomputed from the reviews")
        # brand replies (each version of a reply is its own target)
        REPLY_SUBMITTED = "reply_submitted", _("brand reply submitted")
        REPLY_STATUS_CHANGED = "reply_status_changed", _("brand reply status changed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # SET_NULL would be an UPDATE of an audit row: refused. An actor is never deleted.
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=64, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    rule_code = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    # "" for the first row. Unique, so two events can never chain onto the same predecessor.
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"
