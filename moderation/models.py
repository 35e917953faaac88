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

from config.storage import private_storage


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
        REMOVE = "remove", _("removed after publication")
        REQUEST_PROOF = "request_proof", _("proof of experience requested")
        VERIFY = "verify", _("proof of experience accepted")

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
    # What brought the content to this decision: the pipeline's own checks, a report or notice
    # (DSA art. 16), a brand's flag, an appeal. Feeds the statement of reasons (DSA-11).
    source = models.CharField(max_length=32, blank=True)
    # The authenticity model's signal, when a current model scored the content (pipeline
    # decisions only): its calibrated score, the version that gave it, and the features that
    # weighed most, as plain sentences. Empty when no model existed: heuristics alone.
    model_score = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=32, blank=True)
    model_explanation = models.JSONField(default=list, blank=True)

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


# Restricting outcomes: each one gives its author a statement of reasons (DSA art. 17).
RESTRICTING_OUTCOMES = frozenset(
    {Decision.Outcome.REJECT, Decision.Outcome.REMOVE, Decision.Outcome.LABEL}
)


class Report(models.Model):
    """Someone's notice that published content breaks a rule or the law, or a brand's
    reasoned doubt about a review's authenticity (FR-5). Anonymous notices of illegal content
    carry the DSA art. 16 fields; reports under the code of conduct come from accounts."""

    class Source(models.TextChoices):
        ILLEGAL_CONTENT = "illegal_content", _("notice of illegal content")
        CODE_OF_CONDUCT = "code_of_conduct", _("report under the code of conduct")
        BRAND_FLAG = "brand_flag", _("brand's doubt about authenticity")

    class FlagReason(models.TextChoices):
        NOT_A_CUSTOMER = "not_a_customer", _("no trace of this customer or experience")
        WRONG_BRAND = "wrong_brand", _("the review is about another business")
        COMPETITOR_OR_STAFF = "competitor_or_staff", _("written by a competitor or staff")
        DUPLICATE = "duplicate", _("the same person posted several reviews")
        INCENTIVISED = "incentivised", _("undisclosed reward for the review")
        OTHER = "other", _("another reason, explained below")

    class Status(models.TextChoices):
        OPEN = "open", _("being examined")
        UPHELD = "upheld", _("upheld: the content was restricted")
        DISMISSED = "dismissed", _("dismissed: the content stays")
        WITHDRAWN = "withdrawn", _("closed: its author withdrew the content")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="reports")
    source = models.CharField(max_length=32, choices=Source.choices)
    # None for a notice without an account (DSA art. 16 lets anyone notify).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    trusted_flagger = models.BooleanField(default=False)  # DSA art. 22: examined first
    rule_code = models.CharField(max_length=64, blank=True)  # the rule the reporter invokes
    flag_reason = models.CharField(max_length=32, choices=FlagReason.choices, blank=True)
    explanation = models.TextField()
    # DSA art. 16(2): exact location, notifier's name and email, good-faith statement.
    location_url = models.URLField(max_length=500, blank=True)
    notifier_name = models.CharField(max_length=200, blank=True)
    notifier_email = models.EmailField(blank=True)
    good_faith_confirmed = models.BooleanField(default=False)
    # The language the report was filed in: emails to a notifier without an account use it.
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A moderator's finding that the report was manifestly unfounded (DSA art. 23(2)).
    manifestly_unfounded = models.BooleanField(default=False)
    outcome_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["reporter", "created_at"], name="report_reporter_idx"),
            models.Index(fields=["submission", "status"], name="report_submission_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} on submission {self.submission_id} ({self.status})"

    @property
    def contact_email(self) -> str:
        return self.reporter.email if self.reporter is not None else self.notifier_email


class Appeal(models.Model):
    """A contestation of a decision (DSA art. 20), by the content's author or by a reporter
    whose report was dismissed. Decided by a human who did not take the first decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("being examined")
        UPHELD = "upheld", _("the first decision is confirmed")
        REVERSED = "reversed", _("the first decision is reversed")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="appeals")
    # None for a notifier without an account (DSA art. 20(1)): their notice's name and address.
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appellant_name = models.CharField(max_length=200, blank=True)
    appellant_email = models.EmailField(blank=True)
    # What is contested: a restricting decision (the author's appeal) or a dismissed report.
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    # Who took the contested decision: never the one who decides the appeal (DSA-20).
    first_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explanation = models.TextField()
    created_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField(blank=True)  # the reasoned decision sent to the appellant
    outcome_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__isnull=False) ^ Q(report__isnull=False),
                name="appeal_contests_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(appellant__isnull=False) | ~Q(appellant_email=""),
                name="appeal_by_an_account_or_an_email",
            ),
            # Never decided by automated means alone (DSA-20).
            models.CheckConstraint(
                condition=Q(status="open") | Q(decided_by__isnull=False),
                name="appeal_decided_by_a_human",
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(decision__isnull=False),
                name="one_appeal_per_decision",
            ),
            models.UniqueConstraint(
                fields=["report"], condition=Q(report__isnull=False), name="one_appeal_per_report"
            ),
        ]

    def __str__(self) -> str:
        return f"appeal {self.pk} on submission {self.submission_id} ({self.status})"

    @property
    def appellant_label(self) -> str:
        """How the appellant is named: their pseudonym, or a notifier's name or address."""
        if self.appellant is not None:
            return self.appellant.pseudonym
        return self.appellant_name or self.appellant_email

    @property
    def contact_email(self) -> str:
        return self.appellant.email if self.appellant is not None else self.appellant_email


class ProofRequest(models.Model):
    """A moderator asks the author for proof of the experience (NF-COL-5): an invoice, an order
    confirmation. The document is stored privately, never served publicly."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("awaiting the document")
        SUBMITTED = "submitted", _("document received, being examined")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")
        EXPIRED = "expired", _("no document before the deadline")
        WITHDRAWN = "withdrawn", _("the content was withdrawn by its author")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="proofs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    deadline = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    document = models.FileField(upload_to="proofs/%Y/%m/", storage=private_storage, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(status__in=["requested", "submitted"]),
                name="one_open_proof_request",
            ),
        ]

    def __str__(self) -> str:
        return f"proof for submission {self.submission_id} ({self.status})"


class WorkItem(models.Model):
    """One thing for a moderator to do. Offered by due time, trusted-flagger notices first
    (DSA-22); a claim is a lease that lapses, so an abandoned item comes back."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("sent to a moderator by the checks")
        REPORT = "report", _("report")
        FLAG = "flag", _("brand flag")
        APPEAL = "appeal", _("appeal")
        PROOF = "proof", _("proof of experience")

    class State(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="work_items")
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proof = models.ForeignKey(
        ProofRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Copied from the submission so the queue filters without a join.
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=8)
    rule_code = models.CharField(max_length=64, blank=True)
    priority = models.PositiveSmallIntegerField(default=1)  # 0: trusted flagger
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    # A moderator who must not decide it: who took the decision an appeal contests (DSA-20).
    excluded_moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["priority", "due_at", "id"],
                condition=Q(state="open"),
                name="workitem_queue_idx",
            ),
            models.Index(fields=["closed_by", "closed_at"], name="workitem_closed_idx"),
        ]
        constraints = [
            # A piece of content waits once for each reason: a redelivered event adds nothing.
            models.UniqueConstraint(
                fields=["submission", "kind"],
                condition=Q(state="open", report__isnull=True),
                name="one_open_item_per_submission_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} item {self.pk} ({self.state})"


class StatementOfReasons(models.Model):
    """What the author of restricted content is told (DSA art. 17), and what goes to the EU
    Transparency Database (DSA art. 24(5)): field names and values as its API's. No personal
    data in any field. Redress information is not stored: every rendering adds it."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="statement")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="statements")
    puid = models.CharField(max_length=100, unique=True)
    decision_visibility = models.CharField(max_length=64)
    territorial_scope = models.JSONField(default=list)
    end_date_visibility_restriction = models.DateField(null=True, blank=True)
    decision_facts = models.TextField()
    source_type = models.CharField(max_length=40)
    automated_detection = models.BooleanField()
    automated_decision = models.CharField(max_length=40)
    decision_ground = models.CharField(max_length=64)
    decision_ground_reference_url = models.URLField(max_length=500)
    legal_ground = models.CharField(max_length=500, blank=True)  # illegal content only
    ground = models.CharField(max_length=500)  # the rule: code and title
    ground_explanation = models.TextField()
    category = models.CharField(max_length=80)
    category_specification = models.JSONField(default=list)
    content_type = models.JSONField(default=list)
    content_language = models.CharField(max_length=2)
    content_date = models.DateField()
    application_date = models.DateField()
    created_at = models.DateTimeField()
    # When the author was told; the appeal window runs from here (DSA-17).
    informed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="sor_created_idx")]

    def __str__(self) -> str:
        return self.puid


class ReportingSanction(models.Model):
    """Misuse of reporting (DSA art. 23(2)): a warning first, then a suspension of the
    account's reports and flags for a period. Each records the four factors of art. 23(3)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("warning")
        SUSPENSION = "suspension", _("suspension of reporting")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)  # suspensions only
    # DSA art. 23(3): absolute numbers, proportion, gravity, intent.
    unfounded_count = models.PositiveIntegerField()
    total_count = models.PositiveIntegerField()
    gravity = models.TextField()
    intent = models.TextField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="sanction_user_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id}"


class AuthenticityModel(models.Model):
    """One trained version of the authenticity model (moderation/authenticity), with what it
    was trained on and how it measured on a hold-out split grouped by brand.

    The estimator is kept in the row (joblib bytes, a few MB) rather than in a file: a worker
    on any machine loads it from the database it already reads, and a version's metrics,
    features and estimator are written and activated in one transaction, never out of step.
    """

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    training_size = models.PositiveIntegerField()  # labelled submissions, both splits
    metrics = models.JSONField(default=dict)
    features = models.JSONField(default=list)  # names of the features it reads
    is_current = models.BooleanField(default=False)
    estimator = models.BinaryField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_model"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"authenticity-v{self.version}"
