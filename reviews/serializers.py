from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.models import Review


class ReplyMediaSerializer(serializers.Serializer):
    """A photo or video of a reply (NF-RES-6), read from ReplyVersion.media."""

    url = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=("photo", "video"))
    content_type = serializers.CharField()
    description = serializers.CharField()

    def get_url(self, item: dict) -> str:
        path = reverse("reviews:reply-attachment", args=[item["id"]])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PublicReplySerializer(serializers.Serializer):
    """The brand's reply as the public sees it: its newest published version (NF-RES-5)."""

    text = serializers.CharField(source="published.text")
    language = serializers.CharField(source="published.language")
    published_at = serializers.DateTimeField(source="first_published_at")
    updated_at = serializers.DateTimeField(allow_null=True)
    attachments = ReplyMediaSerializer(source="published.media", many=True)


class PublicReviewSerializer(serializers.ModelSerializer):
    """What anyone may see of a published review: the pseudonym, never an email or a name."""

    author = serializers.CharField(source="author.pseudonym")
    brand = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    place = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    verified = serializers.BooleanField(source="is_verified")
    incentivised = serializers.BooleanField(source="is_incentivised")
    reply = PublicReplySerializer(source="public_reply", allow_null=True, read_only=True)

    class Meta:
        model = Review
        fields: tuple[str, ...] = (
            "id",
            "brand",
            "place",
            "author",
            "channel",
            "rating",
            "title",
            "text",
            "language",
            "experience_date",
            "published_at",
            "verified",
            "verification",
            "incentivised",
            "incentive_description",
            "helpful_count",
            "reply",
        )


class MyReviewSerializer(serializers.ModelSerializer):
    """The author's own view: status, decision, rule and dates."""

    brand = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    place = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    decided_by = serializers.SerializerMethodField()
    decision_due_by = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = (
            "id",
            "brand",
            "place",
            "channel",
            "rating",
            "title",
            "text",
            "language",
            "experience_date",
            "status",
            "rule_code",
            "decided_by",
            "submitted_at",
            "decision_due_by",
            "decided_at",
            "published_at",
            "withdrawn_at",
            "recommend_score",
            "incentive_received",
            "incentive_description",
            "helpful_count",
        )

    def get_decided_by(self, review: Review) -> str:
        if review.decided_at is None:
            return ""
        return "moderator" if review.decided_by_moderator else "pipeline"

    def get_decision_due_by(self, review: Review) -> str:
        return serializers.DateTimeField().to_representation(
            review.submitted_at + settings.REVIEW_DECISION_MAX_DELAY
        )


class BrandReviewSerializer(PublicReviewSerializer):
    """A review on a brand's list: with its author's number of published reviews (NF-RES-7)."""

    author_published_reviews = serializers.SerializerMethodField()

    class Meta(PublicReviewSerializer.Meta):
        fields = (*PublicReviewSerializer.Meta.fields, "author_published_reviews")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_author_published_reviews(self, review: Review) -> int | None:
        """None for an erased member's kept reviews: a count would tie them together."""
        if review.author.erased_at:
            return None
        return review.author_published_count  # type: ignore[attr-defined] # the list annotates it


class RatingSerializer(serializers.Serializer):
    """A rating block (reviews.ratings.Rating): mean = stars_total / count, one decimal, half up."""

    mean = serializers.DecimalField(
        max_digits=2, decimal_places=1, coerce_to_string=False, allow_null=True
    )
    count = serializers.IntegerField()
    stars_total = serializers.IntegerField()
    distribution = serializers.DictField(child=serializers.IntegerField())
    received = serializers.IntegerField()
    received_distribution = serializers.DictField(child=serializers.IntegerField())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
