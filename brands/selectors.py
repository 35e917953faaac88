from django.db.models import Count, QuerySet

from brands.models import Brand, DomainClaim, Membership


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
        Membership.objects.filter(user_id=user_id).select_related("brand").order_by("brand__name")
    )


def is_brand_member(*, user_id: int, brand_id: int) -> bool:
    return Membership.objects.filter(user_id=user_id, brand_id=brand_id).exists()


def brand_ids_of_member(*, user_id: int) -> set[int]:
    return set(Membership.objects.filter(user_id=user_id).values_list("brand_id", flat=True))
