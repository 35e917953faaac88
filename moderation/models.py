"""The moderation engine's own records. It knows kinds of content, never reviews.

A `Submission` is the snapshot of what is moderated, handed over by the app that owns the
content (in the same transaction). Checks read only these tables: the snapshot, its `Signal`s,
the engine's indexes (`TextBand` for near-duplicates; the indexed columns of `Submission` for
networks, devices and bursts) and past `Decision`s.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("awaiting the automated checks")
        IN_REVIEW = "in_review", _("awaiting a moderator")
        DECIDED = "decided", _("decided")

    kind = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(
        "brands.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    incentive_disclosed = models.BooleanField(default=False)
    # When the content was submitted: every heuristic measures time from here, never from the
    # wall clock, so history can be replayed (imports) and gives the same answers.
    submitted_at = models.DateTimeField()
    # Keyed hashes: the engine can compare networks and devices without storing either.
    network_hash = models.CharField(max_length=64, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    # Snapshots of the author at submission time, for the authenticity checks.
    author_joined_at = models.DateTimeField()
    author_email_domain = models.CharField(max_length=253, blank=True)
    # MinHash signature of the text (datasketch), for near-duplicate similarity.
    minhash = models.BinaryField(null=True, blank=True)

    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    risk_score = models.FloatField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_submission_per_object"),
        ]
        indexes = [
            # Covering: the burst check counts a brand's window from the index alone.
            models.Index(
                fields=["brand", "submitted_at"],
                include=["rating", "kind", "id"],
                name="sub_brand_time_idx",
            ),
            models.Index(fields=["network_hash", "brand", "submitted_at"], name="sub_network_idx"),
            models.Index(fields=["device_hash", "brand", "submitted_at"], name="sub_device_idx"),
            models.Index(fields=["author", "submitted_at"], name="sub_author_idx"),
            models.Index(fields=["state", "received_at"], name="sub_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} ({self.state})"


class TextBand(models.Model):
    """One LSH band of a submission's MinHash: texts sharing a band are near-duplicate
    candidates. Looking up a text's bands is an index lookup, whatever the store's size."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "submission"], name="textband_key_idx")]

    def __str__(self) -> str:
        return f"band {self.key} of submission {self.submission_id}"


class Signal(models.Model):
    """A finding of one automated check on one submission, with its evidence."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="signals")
    check_name = models.CharField(max_length=64)
    rule_code = models.CharField(max_length=64)
    score = models.FloatField()
    evidence = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-score", "id"]

    def __str__(self) -> str:
        return f"{self.check_name} ({self.score:.2f}) → {self.rule_code}"


class Decision(models.Model):
    """Append-only: a decision is never changed; a later decision (a moderator's, an appeal's)
    is a new row."""

    class Outcome(models.TextChoices):
        PUBLISH = "publish", _("published")
        REJECT = "reject", _("rejected")
        SEND_TO_HUMAN = "send_to_human", _("sent to a moderator")
        LABEL = "label", _("published with a label")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    rule_code = models.CharField(max_length=64, blank=True)
    risk_score = models.FloatField()
    explanation = models.JSONField(default=list, blank=True)
    ruleset_version = models.CharField(max_length=32)
    pipeline_version = models.CharField(max_length=32)
    # None: the automated pipeline decided.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)  # internal, never shown publicly
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            # Exactly-once: the pipeline decides a submission once, however often its task runs.
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(decided_by__isnull=True),
                name="one_pipeline_decision_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} {self.rule_code} (submission {self.submission_id})"

    @property
    def is_automated(self) -> bool:
        return self.decided_by_id is None
