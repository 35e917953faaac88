"""Writes on brands, places, memberships and domain claims. Every change is audited."""

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import ensure_can_write_publicly
from audit.models import AuditEvent
from audit.services import record_event
from brands.models import Brand, DomainClaim, Membership, Place
from brands.page_cache import touch_brand_page
from config.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError

CLAIM_SIGNING_SALT = "brands.claim"


def _unique_slug(base: str, taken: Callable[[str], bool]) -> str:
    root = slugify(base)[:120] or "marque"
    slug, n = root, 1
    while taken(slug):
        n += 1
        slug = f"{root}-{n}"
    return slug


def normalise_domain(domain: str) -> str:
    domain = domain.strip().lower().removeprefix("https://").removeprefix("http://")
    return domain.split("/")[0].removeprefix("www.")


@transaction.atomic
def create_brand(
    *, name: str, domain: str = "", description: str = "", actor: User | None
) -> Brand:
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("A brand needs a name."), field="name")
    slug = _unique_slug(name, lambda s: Brand.objects.filter(slug=s).exists())
    brand = Brand.objects.create(
        name=name, slug=slug, domain=normalise_domain(domain), description=description
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.BRAND_CREATED,
        target=brand,
        details={"name": brand.name, "domain": brand.domain},
    )
    return brand


@transaction.atomic
def create_place(
    *,
    brand: Brand,
    name: str,
    city: str,
    kind: str = Place.Kind.SHOP,
    address: str = "",
    postal_code: str = "",
    actor: User | None,
) -> Place:
    if kind not in Place.Kind.values:
        raise ApplicationError(_("Unknown kind of place."), field="kind")
    slug = _unique_slug(
        f"{name}-{city}", lambda s: Place.objects.filter(brand=brand, slug=s).exists()
    )
    place = Place.objects.create(
        brand=brand,
        name=name,
        slug=slug,
        city=city,
        kind=kind,
        address=address,
        postal_code=postal_code,
    )
    record_event(
        actor=actor,
        action=AuditEvent.Action.PLACE_CREATED,
        target=place,
        details={"brand_id": brand.pk, "name": name, "city": city},
    )
    touch_brand_page(brand_id=brand.pk)  # the brand page lists its places
    return place


def email_matches_domain(*, email: str, domain: str) -> bool:
    """An address proves the domain when it is on it or on one of its subdomains."""
    host = email.rsplit("@", 1)[-1].lower()
    return bool(domain) and (host == domain or host.endswith("." + domain))


@transaction.atomic
def request_brand_claim(*, user: User, brand: Brand, email: str) -> DomainClaim:
    """Start a claim: send a signed link to an address on the brand's domain."""
    ensure_can_write_publicly(user=user)
    email = email.strip().lower()
    if not brand.domain:
        raise ApplicationError(
            _("This brand has no web domain yet: ask an operator to approve your claim."),
            field="email",
            code="no_domain",
        )
    if not email_matches_domain(email=email, domain=brand.domain):
        raise ApplicationError(
            _("The address must be on the brand's domain (%(domain)s).") % {"domain": brand.domain},
            field="email",
            code="wrong_domain",
        )
    if Membership.objects.filter(brand=brand, user=user).exists():
        raise ConflictError(_("You are already a member of this brand."), code="already_member")
    try:
        with transaction.atomic():
            claim = DomainClaim.objects.create(brand=brand, user=user, email=email)
    except IntegrityError:
        raise ConflictError(
            _("You already have a claim awaiting confirmation for this brand."),
            code="claim_pending",
        ) from None
    record_event(
        actor=user,
        action=AuditEvent.Action.BRAND_CLAIM_REQUESTED,
        target=claim,
        to_status=claim.status,
        details={"brand_id": brand.pk},
    )
    from brands.tasks import send_brand_claim_email_task

    transaction.on_commit(partial(send_brand_claim_email_task.delay, claim_id=claim.pk))
    return claim


def make_claim_token(*, claim: DomainClaim) -> str:
    return signing.dumps({"claim": claim.pk}, salt=CLAIM_SIGNING_SALT)


def _claim_from_token(token: str) -> DomainClaim:
    max_age = settings.BRAND_CLAIM_LINK_MAX_AGE
    try:
        payload = signing.loads(token, salt=CLAIM_SIGNING_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ApplicationError(
            _("This link has expired. Please start your claim again."),
            field="token",
            code="expired",
        ) from None
    except signing.BadSignature:
        raise ApplicationError(
            _("This link is not valid."), field="token", code="invalid"
        ) from None
    claim = DomainClaim.objects.select_for_update().filter(pk=payload.get("claim")).first()
    if claim is None:
        raise NotFoundError(_("This claim does not exist."))
    return claim


@transaction.atomic
def verify_brand_claim(*, token: str, user: User) -> Membership:
    """The claimant followed the emailed link: they become a member of the brand."""
    claim = _claim_from_token(token)
    if claim.user_id != user.pk:
        raise PermissionDeniedError(_("This link was sent for another account."))
    _ensure_pending(claim)
    return _accept_claim(
        claim,
        to=DomainClaim.Status.VERIFIED,
        actor=user,
        action=AuditEvent.Action.BRAND_CLAIM_VERIFIED,
    )


@transaction.atomic
def approve_brand_claim(*, claim_id: int, actor: User) -> Membership:
    """An operator vouches for a claim (e.g. a brand with no domain, after a phone check)."""
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only an operator can approve a claim."))
    claim = _lock_pending_claim(claim_id)
    return _accept_claim(
        claim,
        to=DomainClaim.Status.APPROVED,
        actor=actor,
        action=AuditEvent.Action.BRAND_CLAIM_APPROVED,
    )


@transaction.atomic
def reject_brand_claim(*, claim_id: int, actor: User) -> DomainClaim:
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only an operator can reject a claim."))
    claim = _lock_pending_claim(claim_id)
    claim.status, claim.decided_at, claim.decided_by = (
        DomainClaim.Status.REJECTED,
        timezone.now(),
        actor,
    )
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.BRAND_CLAIM_REJECTED,
        target=claim,
        from_status=DomainClaim.Status.PENDING,
        to_status=claim.status,
    )
    return claim


def _lock_pending_claim(claim_id: int) -> DomainClaim:
    claim = DomainClaim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError(_("This claim does not exist."))
    _ensure_pending(claim)
    return claim


def _ensure_pending(claim: DomainClaim) -> None:
    if claim.status != DomainClaim.Status.PENDING:
        raise ConflictError(_("This claim was already handled."), code="claim_handled")


def _accept_claim(claim: DomainClaim, *, to: str, actor: User, action: str) -> Membership:
    brand = Brand.objects.select_for_update().get(pk=claim.brand_id)
    claim.status, claim.decided_at, claim.decided_by = to, timezone.now(), actor
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    record_event(
        actor=actor,
        action=action,
        target=claim,
        from_status=DomainClaim.Status.PENDING,
        to_status=to,
        details={"brand_id": brand.pk},
    )
    if to == DomainClaim.Status.VERIFIED and brand.domain_verified_at is None:
        brand.domain_verified_at = timezone.now()
        brand.save(update_fields=["domain_verified_at"])
    # The first member of a brand owns it; later claimants join as agents, and an owner
    # may promote them.
    has_owner = Membership.objects.filter(brand=brand, role=Membership.Role.OWNER).exists()
    role = Membership.Role.AGENT if has_owner else Membership.Role.OWNER
    return add_membership(brand=brand, user=claim.user, role=role, actor=actor)


def add_membership(*, brand: Brand, user: User, role: str, actor: User | None) -> Membership:
    """Internal to this module and demo data: call inside a transaction."""
    membership, created = Membership.objects.get_or_create(
        brand=brand, user=user, defaults={"role": role}
    )
    if created:
        record_event(
            actor=actor,
            action=AuditEvent.Action.MEMBERSHIP_CREATED,
            target=membership,
            to_status=role,
            details={"brand_id": brand.pk, "user_id": user.pk},
        )
    return membership


@transaction.atomic
def change_membership_role(*, membership_id: int, role: str, actor: User) -> Membership:
    """An owner (or an operator) changes a member's role. A brand always keeps an owner."""
    if role not in Membership.Role.values:
        raise ApplicationError(_("Unknown role."), field="role")
    membership = Membership.objects.select_for_update().filter(pk=membership_id).first()
    if membership is None:
        raise NotFoundError(_("This membership does not exist."))
    is_owner = Membership.objects.filter(
        brand_id=membership.brand_id, user=actor, role=Membership.Role.OWNER
    ).exists()
    if not (is_owner or actor.is_operator):
        raise PermissionDeniedError(_("Only an owner of the brand can change roles."))
    if membership.role == role:
        return membership
    if membership.role == Membership.Role.OWNER:
        owners = Membership.objects.filter(
            brand_id=membership.brand_id, role=Membership.Role.OWNER
        ).count()
        if owners == 1:
            raise ConflictError(_("A brand must keep at least one owner."), code="last_owner")
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        actor=actor,
        action=AuditEvent.Action.MEMBERSHIP_ROLE_CHANGED,
        target=membership,
        from_status=previous,
        to_status=role,
        details={"brand_id": membership.brand_id, "user_id": membership.user_id},
    )
    return membership
