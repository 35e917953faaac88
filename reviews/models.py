from datetime import datetime
from typing import Any, ClassVar

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.storage import private_storage

# Fields fixed at submission: nobody, not even the site, changes them afterwards (NF-MOD-5).
IMMUTABLE_FIELDS = (
    "author_id",
    "invitation_id",
    "brand_id",
    "place_id",
    "channel",
    "rating",
    "title",
    "text",
    "language",
    "experience_date",
    "submitted_at",
    "recommend_score",
    "incentive_received",
    "incentive_description",
)


class ImmutableReviewError(Exception):
    """Raised when code tries to change what a review says (NF-MOD-5)."""


class ReviewQuerySet(models.QuerySet["Review"]):
    def update(self, **kwargs: Any) -> int:
        changed = {name.removesuffix("_id") for name in kwargs} & {
            name.removesuffix("_id") for name in IMMUTABLE_FIELDS
        }
        if changed:
            raise ImmutableReviewError(f"A review's {', '.join(sorted(changed))} never change")
        return super().update(**kwargs)


class Review(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted, awaiting moderation")
        IN_REVIEW = "in_review", _("under review by a moderator")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn by its author")
        REMOVED = "removed", _("removed after a report")

    class Channel(models.TextChoices):
        IN_STORE = "in_store", _("in store")
        WEBSITE = "website", _("website")
        APP = "app", _("app")
        PHONE = "phone", _("phone")
        DELIVERY = "delivery", _("delivery")
        OTHER = "other", _("other")

    class Verification(models.TextChoices):
        SELF_DECLARED = "self_declared", _("self-declared")
        INVITATION = "invitation", _("verified review — invited after a purchase")
        DOCUMENT = "document", _("verified review — proof of purchase provided")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="reviews")
    place = models.ForeignKey(
        "brands.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("review"))
    language = models.CharField(_("language"), max_length=8)
    experience_date = models.DateField(_("date of experience"))
    experience_attested_at = models.DateTimeField()
    recommend_score = models.PositiveSmallIntegerField(null=True, blank=True)
    incentive_received = models.BooleanField(default=False)
    incentive_description = models.CharField(max_length=200, blank=True)
    verification = models.CharField(
        max_length=16, choices=Verification.choices, default=Verification.SELF_DECLARED
    )
    # Kept for moderation only, never shown: keyed hashes of the client network and device.
    network_hash = models.CharField(max_length=64, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    # The invitation the review was written from: the only way to "verified by invitation".
    invitation = models.OneToOneField(
        "brands.Invitation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review",
    )
    # Set by import_reviews: the review's identifier at the provider it came from.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The last moderation decision applied to this review, and the rule it cited (if any).
    decision_id = models.BigIntegerField(null=True, blank=True)
    decided_by_moderator = models.BooleanField(default=False)
    rule_code = models.CharField(max_length=64, blank=True)
    labelled_incentivised = models.BooleanField(default=False)
    # The decision the author was last emailed about: a redelivered task sends nothing twice.
    notified_decision_id = models.BigIntegerField(null=True, blank=True)
    helpful_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager["Review"]] = ReviewQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="rating_between_1_and_5"
            ),
            models.CheckConstraint(
                condition=Q(recommend_score__isnull=True)
                | Q(recommend_score__gte=0, recommend_score__lte=10),
                name="recommend_between_0_and_10",
            ),
        ]
        indexes = [
            models.Index(fields=["brand", "status", "published_at"], name="review_brand_pub_idx"),
            models.Index(fields=["author", "submitted_at"], name="review_author_idx"),
            models.Index(fields=["network_hash", "submitted_at"], name="review_network_idx"),
            # Public pages (issue 5, measured by bench/public_pages.py): a brand's published
            # reviews in each order a visitor may pick, so that a page reads 20 index entries
            # instead of sorting all of a big brand's reviews; the included columns let the
            # paginator count the filtered reviews from the index alone.
            models.Index(
                fields=["brand", "rating", "published_at", "id"],
                include=["channel", "verification", "language", "place"],
                condition=Q(status="published"),
                name="review_pub_rating_idx",  # highest first (backwards), rating filter
            ),
            models.Index(
                fields=["brand", "rating", "-published_at", "-id"],
                condition=Q(status="published"),
                name="review_pub_lowest_idx",  # lowest first
            ),
            models.Index(
                fields=["brand", "helpful_count", "published_at", "id"],
                condition=Q(status="published"),
                name="review_pub_helpful_idx",  # most helpful first (backwards)
            ),
            # All published reviews, newest first (GET /api/v1/reviews/): without it every page
            # sorted the whole store (688 ms of SQL at 100,000 reviews, bench/soak.py).
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="review_pub_newest_idx",
            ),
            # Each review card shows its author's number of published reviews (NF-RES-7).
            models.Index(
                fields=["author", "id"],  # id: COUNT(id) from the index alone
                condition=Q(status="published"),
                name="review_author_pub_idx",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="immutable_content",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(
                    *(name.removesuffix("_id") for name in IMMUTABLE_FIELDS)
                ),
            ),
            pgtrigger.Protect(name="never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.rating}★ {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuses any change of content (NF-MOD-5); status fields change through services."""
        stored = getattr(self, "_stored_content", None)
        if stored is not None:
            changed = [name for name, value in stored.items() if getattr(self, name) != value]
            if changed:
                raise ImmutableReviewError(f"A review's {', '.join(changed)} never change")
        super().save(*args, **kwargs)
        self._remember_content()

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._remember_content()

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> "Review":
        instance = super().from_db(db, field_names, values)
        instance._remember_content()
        return instance

    def _remember_content(self) -> None:
        # Only what is loaded: reading a deferred field would query (and recurse through here).
        self._stored_content = {
            name: self.__dict__[name] for name in IMMUTABLE_FIELDS if name in self.__dict__
        }

    @property
    def is_verified(self) -> bool:
        """Only an invitation or an accepted document earns the badge (FR-17)."""
        return self.verification in (self.Verification.INVITATION, self.Verification.DOCUMENT)

    @property
    def is_incentivised(self) -> bool:
        return self.incentive_received or self.labelled_incentivised

    @property
    def public_reply(self) -> "Reply | None":
        """The brand's reply as the public sees it (its latest published version), or None.
        Lists select `reply__published` with the review, so that this reads nothing more."""
        reply: Reply | None = getattr(self, "reply", None)  # None: the brand has not replied
        return reply if reply is not None and reply.published_id is not None else None


# The status machine (DESIGN.md). Appeals (rejected/removed -> published) come with them.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Review.Status.SUBMITTED: frozenset(
        {
            Review.Status.PUBLISHED,
            Review.Status.REJECTED,
            Review.Status.IN_REVIEW,
            Review.Status.WITHDRAWN,
        }
    ),
    Review.Status.IN_REVIEW: frozenset(
        {Review.Status.PUBLISHED, Review.Status.REJECTED, Review.Status.WITHDRAWN}
    ),
    Review.Status.PUBLISHED: frozenset({Review.Status.WITHDRAWN, Review.Status.REMOVED}),
    Review.Status.REJECTED: frozenset({Review.Status.PUBLISHED}),
    Review.Status.REMOVED: frozenset({Review.Status.PUBLISHED}),
    Review.Status.WITHDRAWN: frozenset(),
}

# Reviews that count against "one live review per author, brand and place".
LIVE_STATUSES = (Review.Status.SUBMITTED, Review.Status.IN_REVIEW, Review.Status.PUBLISHED)


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="one_helpful_vote_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} found review {self.review_id} helpful"


class RatingBucket(models.Model):
    """Running counters behind every displayed rating (NF-RES-3), kept by reviews.ratings.

    One row per brand, place (or none), channel, calendar month and star rating:
    - `published`: reviews published in that month (Europe/Paris time) and still published;
    - `received`: reviews submitted in that month, whatever became of them.
    A rating sums at most 13 months of rows, so no page view ever recounts reviews, and
    `manage.py recompute_ratings --check` proves the counters equal a recount.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(
        "brands.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Review.Channel.choices)
    month = models.DateField()  # the first day of the month
    rating = models.PositiveSmallIntegerField()
    published = models.IntegerField(default=0)
    received = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Two partial constraints, because NULL places are distinct in a plain one.
            models.UniqueConstraint(
                fields=["brand", "place", "channel", "month", "rating"],
                condition=Q(place__isnull=False),
                name="one_rating_bucket_per_place",
            ),
            models.UniqueConstraint(
                fields=["brand", "channel", "month", "rating"],
                condition=Q(place__isnull=True),
                name="one_rating_bucket_without_place",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="bucket_rating_between_1_and_5"
            ),
        ]
        indexes = [
            # A rating reads a brand's rows of the last 13 months from this index alone: a big
            # brand has thousands of rows (place x channel x month x star) spread over as many
            # heap pages (bench/public_pages.py: 6,000 pages, 10 to 50 ms, down to 3 ms).
            models.Index(
                fields=["brand", "month"],
                include=["place", "channel", "rating", "published", "received"],
                name="rating_bucket_window_idx",
            )
        ]

    def __str__(self) -> str:
        place = f"/{self.place_id}" if self.place_id else ""
        return f"{self.brand_id}{place} {self.channel} {self.month:%Y-%m} {self.rating}★"


class RatingRecount(models.Model):
    """One run of `recompute_ratings` that rebuilt the counters (the audit event points here)."""

    ran_at = models.DateTimeField()
    buckets_checked = models.PositiveIntegerField()
    corrections = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"recount {self.ran_at:%Y-%m-%d %H:%M} ({self.corrections} corrections)"


class Reply(models.Model):
    """A brand's public answer to one review (NF-RES-5): free, one per review, written by a
    member of the brand. Changing it adds a version: each version is moderated like a review,
    keeps its own text and status, and stays in the audit trail. A reply never changes the
    review it answers (its text, rating, status and counters stay as they are)."""

    review = models.OneToOneField(
        Review, primary_key=True, on_delete=models.PROTECT, related_name="reply"
    )
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    # The member who first replied; each version records its own author.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # The newest version, whatever its status, and the newest published one: what the brand
    # and the public see, read with the review in one query.
    latest = models.ForeignKey(
        "ReplyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published = models.ForeignKey(
        "ReplyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_published_at = models.DateTimeField(null=True, blank=True)
    published_versions = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["brand", "created_at"], name="reply_brand_idx")]

    def __str__(self) -> str:
        return f"reply to review #{self.review_id}"

    @property
    def updated_at(self) -> "datetime | None":
        """When the text the public sees was published, if it replaced an earlier version."""
        if self.published_versions > 1 and self.published is not None:
            return self.published.published_at
        return None


class ReplyVersion(models.Model):
    """One text of a reply, as submitted: never edited; a change is a new version."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted, awaiting moderation")
        IN_REVIEW = "in_review", _("under review by a moderator")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")
        REMOVED = "removed", _("removed after a report")

    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()  # 1 for the first text, then 2, 3...
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("reply"))
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The last moderation decision applied to this version, and the rule it cited (if any).
    decision_id = models.BigIntegerField(null=True, blank=True)
    decided_by_moderator = models.BooleanField(default=False)
    rule_code = models.CharField(max_length=64, blank=True)
    # Emails sent once each, however often their task is delivered.
    reviewer_notified_at = models.DateTimeField(null=True, blank=True)
    notified_decision_id = models.BigIntegerField(null=True, blank=True)
    # What pages show of its photos and videos (ReplyAttachment), written with the version:
    # [{"id", "kind", "content_type", "description"}], so that lists read no other table.
    media = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reply", "number"], name="one_reply_version_number"),
            # One version awaiting moderation at a time: an update waits for the previous one.
            models.UniqueConstraint(
                fields=["reply"],
                condition=Q(status__in=["submitted", "in_review"]),
                name="one_pending_reply_version",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "submitted_at"], name="reply_version_author_idx"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="reply_text_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(
                    "reply", "number", "author", "text", "language", "submitted_at"
                ),
            ),
            pgtrigger.Protect(name="reply_version_never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"reply to review #{self.reply_id}, version {self.number} ({self.status})"

    @property
    def decision_due_by(self) -> datetime:
        """When it is published or refused at the latest (NF-RES-5)."""
        return self.submitted_at + settings.REPLY_DECISION_MAX_DELAY


# The status machine of a reply version; appeals (rejected/removed -> published) included.
REPLY_TRANSITIONS: dict[str, frozenset[str]] = {
    ReplyVersion.Status.SUBMITTED: frozenset(
        {ReplyVersion.Status.IN_REVIEW, ReplyVersion.Status.PUBLISHED, ReplyVersion.Status.REJECTED}
    ),
    ReplyVersion.Status.IN_REVIEW: frozenset(
        {ReplyVersion.Status.PUBLISHED, ReplyVersion.Status.REJECTED}
    ),
    ReplyVersion.Status.PUBLISHED: frozenset({ReplyVersion.Status.REMOVED}),
    ReplyVersion.Status.REJECTED: frozenset({ReplyVersion.Status.PUBLISHED}),
    ReplyVersion.Status.REMOVED: frozenset({ReplyVersion.Status.PUBLISHED}),
}


class ReplyAttachment(models.Model):
    """A photo or video in one version of a brand's reply (NF-RES-6). Stored privately and
    served by a view: visible to the brand and moderators until its version is published,
    to everyone after. A new version of the reply carries the previous one's attachments as
    rows of its own, pointing to the same file, unless the brand removes them."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")

    version = models.ForeignKey(ReplyVersion, on_delete=models.PROTECT, related_name="attachments")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=32)
    file = models.FileField(upload_to="reply-media/%Y/%m/", storage=private_storage)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=200)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="one_reply_attachment_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.position} of reply version #{self.version_id}"
