from django.db.models import Count, QuerySet

from brands.models import Brand, DomainClaim, Invitation, Membership


def list_brands() -> QuerySet[Brand]:
    return Brand.objects.annotate(place_count=Count("places")).order_by("name")


def get_brand(*, slug: str) -> Brand | None:
    return Brand.objects.prefetch_related("places").filter(slug=slug).first()


def get_brand_by_id(*, brand_id: int) -> Brand | None:
    return Brand.objects.filter(pk=brand_id).first()


def list_pending_claims() -> QuerySet[DomainClaim]:
    return (
        DomainClaim.objects.filter(status=DomainClaim.Status.PENDING)
        .select_related("brand", "user")
        .order_by("created_at")
    )


def list_memberships(*, user_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user_id=user_id)
        .select_related("brand")
        .prefetch_related("brand__places")
        .order_by("brand__name")
    )


def is_brand_member(*, user_id: int, brand_id: int) -> bool:
    return Membership.objects.filter(user_id=user_id, brand_id=brand_id).exists()


def brand_ids_of_member(*, user_id: int) -> set[int]:
    return set(Membership.objects.filter(user_id=user_id).values_list("brand_id", flat=True))


def list_brand_invitations(*, brand_id: int) -> QuerySet[Invitation]:
    """A brand's invitations, newest first (the token is never shown to the brand)."""
    return (
        Invitation.objects.filter(brand_id=brand_id)
        .select_related("place")
        .defer("token")
        .order_by("-created_at", "-pk")
    )


def count_invitations_by_status(*, brand_id: int) -> dict[str, int]:
    """Status -> number of the brand's invitations, every status present: one query."""
    counts = dict(
        Invitation.objects.filter(brand_id=brand_id)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {value: counts.get(value, 0) for value in Invitation.Status.values}


def get_invitation_by_token(*, token: str) -> Invitation | None:
    return Invitation.objects.select_related("brand", "place").filter(token=token).first()


def get_brand_by_slug_only(*, slug: str) -> Brand | None:
    """The brand alone, without its places."""
    return Brand.objects.filter(slug=slug).first()
