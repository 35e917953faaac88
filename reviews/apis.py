from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from brands.authentication import TOKEN_AUTHENTICATION, token_scope
from brands.models import Brand, Place
from brands.page_cache import cached_brand_part
from brands.selectors import get_brand, get_brand_by_slug_only, get_invitation_by_token
from config.requests import authenticated_user
from reviews.filters import DEFAULT_SORT, REVIEW_SORTS, BrandReviewFilter, PublishedReviewFilter
from reviews.models import Review
from reviews.ratings import Rating, get_brand_ratings
from reviews.selectors import list_brand_reviews, list_published_reviews, list_reviews_of_author
from reviews.serializers import (
    BrandReviewSerializer,
    MyReviewSerializer,
    PublicReviewSerializer,
    RatingSerializer,
)
from reviews.services import submit_review, vote_review_helpful, withdraw_review
from reviews.statements import appeal_window_of, with_restrictions
from reviews.views import client_ip


class NewestFirst(CursorPagination):
    ordering = ("-published_at", "-id")
    page_size = 20


class ReviewListSubmitApi(ListAPIView):
    """GET: published reviews, newest first (NF-RES-1). POST: submit a review.

    With `invitation_token` (the token of an invitation email's link) the review is written
    from that invitation, as on the web: verified by invitation, dated on the purchase, at the
    invitation's place; `brand` and `experience_date` may then be left out (FR-17)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = PublicReviewSerializer
    filterset_class = PublishedReviewFilter
    pagination_class = NewestFirst
    throttle_scope = "reviews"

    class InputSerializer(serializers.Serializer):
        brand = serializers.SlugRelatedField(
            slug_field="slug", queryset=Brand.objects.all(), required=False
        )
        place = serializers.PrimaryKeyRelatedField(
            queryset=Place.objects.all(), required=False, allow_null=True
        )
        channel = serializers.ChoiceField(choices=Review.Channel.choices)
        rating = serializers.IntegerField(min_value=1, max_value=5)
        title = serializers.CharField(max_length=120, trim_whitespace=False)
        text = serializers.CharField(max_length=5000, trim_whitespace=False)
        language = serializers.ChoiceField(choices=[("fr", "fr"), ("en", "en")], required=False)
        experience_date = serializers.DateField(required=False)
        attested = serializers.BooleanField()
        recommend_score = serializers.IntegerField(
            min_value=0, max_value=10, required=False, allow_null=True
        )
        incentive_received = serializers.BooleanField(default=False)
        incentive_description = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )
        invitation_token = serializers.CharField(max_length=64, required=False)

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            token = data.pop("invitation_token", None)
            if token is not None:
                invitation = get_invitation_by_token(token=token)
                if invitation is None:
                    raise NotFound(_("This invitation link is not valid."))
                # The invitation decides the brand (a different one is refused by
                # submit_review), the date and the place: what the customer sends is ignored.
                data = {**data, "invitation": invitation}
                data.setdefault("brand", invitation.brand)
                data["experience_date"] = invitation.purchase_date
            missing = {
                field: [_("This field is required.")]
                for field in ("brand", "experience_date")
                if field not in data
            }
            if missing:
                raise serializers.ValidationError(missing)
            return data

    def get_throttles(self) -> list[BaseThrottle]:
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self) -> QuerySet[Review]:
        return list_published_reviews()

    @extend_schema(request=InputSerializer, responses={201: MyReviewSerializer})
    def post(self, request: Request) -> Response:
        s = self.InputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        review = submit_review(
            author=authenticated_user(request),
            client_ip=client_ip(request._request),
            user_agent=request.headers.get("User-Agent", ""),
            **s.validated_data,
        )
        return Response(MyReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class AppealStateSerializer(serializers.Serializer):
    """Where the appeal against a review's last restriction stands (DSA art. 20)."""

    decision_id = serializers.IntegerField(help_text="the decision to contest: POST appeals/")
    in_force = serializers.BooleanField(help_text="the restriction is the review's last decision")
    can_appeal = serializers.BooleanField(source="is_open")
    deadline = serializers.DateTimeField(help_text="six months after the author was told")
    status = serializers.CharField(
        source="appeal_status", help_text='"" (not contested), open, upheld or reversed'
    )
    decided_at = serializers.DateTimeField(source="appeal_decided_at", allow_null=True)


class MyReviewListApi(ListAPIView):
    """My reviews; each restricted one with its statement of reasons (its page in my account)
    and where its appeal stands."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(MyReviewSerializer):
        statement_url = serializers.SerializerMethodField()
        appeal = serializers.SerializerMethodField()

        class Meta:
            model = Review
            fields = (*MyReviewSerializer.Meta.fields, "statement_url", "appeal")

        @extend_schema_field(serializers.CharField(allow_null=True))
        def get_statement_url(self, review: Review) -> str | None:
            if getattr(review, "statement_decision_id", None) is None:
                return None
            return reverse("reviews:statement", args=[review.pk])

        @extend_schema_field(AppealStateSerializer(allow_null=True))
        def get_appeal(self, review: Review) -> dict[str, Any] | None:
            window = appeal_window_of(review, now=timezone.now())
            return None if window is None else AppealStateSerializer(window).data

    serializer_class = OutputSerializer

    def get_queryset(self) -> QuerySet[Review]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Review.objects.none()
        return with_restrictions(
            list_reviews_of_author(author_id=authenticated_user(self.request).pk)
        )


class ReviewWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=MyReviewSerializer)
    def post(self, request: Request, review_id: int) -> Response:
        review = withdraw_review(review_id=review_id, author=authenticated_user(request))
        return Response(MyReviewSerializer(review).data)


class ReviewHelpfulVoteApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        helpful_count = serializers.IntegerField()

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        review = vote_review_helpful(review_id=review_id, user=authenticated_user(request))
        return Response({"helpful_count": review.helpful_count}, status=status.HTTP_201_CREATED)


def _brand_or_404(slug: str) -> Brand:
    brand = get_brand(slug=slug)
    if brand is None:
        raise NotFound()
    return brand


class SortedCursor(CursorPagination):
    """Cursor pages in the order the `sort` filter chose (validated by the filter first)."""

    ordering = REVIEW_SORTS[DEFAULT_SORT][1]
    page_size = 20

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> tuple[str, ...]:
        sort = request.query_params.get("sort") or DEFAULT_SORT
        return REVIEW_SORTS.get(sort, REVIEW_SORTS[DEFAULT_SORT])[1]


class BrandPlacesFilterBackend(DjangoFilterBackend):
    """Gives the FilterSet the brand's places, so `place=<slug>` is checked against them."""

    def get_filterset_kwargs(self, request: Request, queryset: QuerySet, view: Any) -> dict:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        return {**kwargs, "places": getattr(view, "places", None)}


class BrandReviewListApi(ListAPIView):
    """A brand's published reviews, newest first by default (NF-RES-1); `sort` picks another
    order (FR-8). Unknown filter values get a 400 that names the filter. Public; a brand API
    token, if sent, must have the "read_reviews" scope and be the brand's."""

    authentication_classes = TOKEN_AUTHENTICATION
    permission_classes = [AllowAny, token_scope("read_reviews")]
    serializer_class = BrandReviewSerializer
    filter_backends = [BrandPlacesFilterBackend]
    filterset_class = BrandReviewFilter
    pagination_class = SortedCursor

    def get_queryset(self) -> QuerySet[Review]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no brand
            return Review.objects.none()
        # The brand list() read already, if it did.
        brand = getattr(self, "brand", None) or _brand_or_404(self.kwargs["slug"])
        self.places = list(brand.places.all())
        return list_brand_reviews(brand_id=brand.pk)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Anonymous readers share the page as computed, until the brand's pages change
        (brands.page_cache); a token or a session gets it fresh."""
        if request.user.is_authenticated or request.auth is not None:
            return super().list(request, *args, **kwargs)
        brand = self.brand = get_brand_by_slug_only(slug=self.kwargs["slug"])
        if brand is None:
            raise NotFound
        name = f"api:{request.get_host()}:{get_language()}:{request.GET.urlencode()}"
        data = cached_brand_part(
            brand.pk, name, lambda: super(BrandReviewListApi, self).list(request).data
        )
        return Response(data)


class BrandRatingApi(APIView):
    """The brand's rating block, and the same per channel and per place (NF-RES-3, FTC-8)."""

    permission_classes = [AllowAny]

    class PlaceRatingSerializer(RatingSerializer):
        place = serializers.CharField()
        name = serializers.CharField()

    class OutputSerializer(serializers.Serializer):
        brand = serializers.CharField()
        overall = RatingSerializer()
        by_channel = serializers.DictField(child=RatingSerializer())
        by_place = serializers.ListField(child=RatingSerializer())

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, slug: str) -> Response:
        brand = _brand_or_404(slug)
        ratings = get_brand_ratings(brand_id=brand.pk)
        empty = Rating(
            count=0,
            stars_total=0,
            distribution={},
            received=0,
            received_distribution={},
            period_start=ratings.overall.period_start,
            period_end=ratings.overall.period_end,
        )
        by_place = [
            {
                "place": place.slug,
                "name": place.name,
                **RatingSerializer(ratings.by_place.get(place.pk, empty)).data,
            }
            for place in brand.places.all()
        ]
        return Response(
            {
                "brand": brand.slug,
                "overall": RatingSerializer(ratings.overall).data,
                "by_channel": {
                    name: RatingSerializer(rating).data
                    for name, rating in sorted(ratings.by_channel.items())
                },
                "by_place": by_place,
            }
        )
