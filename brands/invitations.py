"""Review invitations: a brand asks one customer to review one order (ISO-COL-1..9, FR-17).

    scheduled ──periodic task──> sent ──periodic task──> reminded
    scheduled | sent | reminded ──customer's link──> opted_out
    scheduled | sent | reminded ──owner or manager──> cancelled
    sent | reminded ──review written from the link──> reviewed

- A brand invites one customer (a form), many (a CSV file) or by the API; only its owners and
  managers may, after attesting that the list holds customers only, no staff or relatives
  (FTC-5). An order and an address are invited once: a re-upload adds nothing.
- Nothing about the customer's satisfaction is ever accepted: an invitation has no such field,
  and a file with a rating, satisfaction or NPS column is refused whole. A brand cannot invite
  only its happy customers (FTC-2, "no gating").
- The email leaves INVITATION_SEND_DELAY after creation (ISO-COL-1), says who asks, for whom,
  about what, where and how the review appears (ISO-COL-2/3); one reminder at most, never after
  a review, an opt-out or a cancellation (ISO-COL-5). Its opt-out link needs no account.
- The link writes one review, "verified by invitation", dated on the purchase (FR-17): see
  reviews.services.submit_review, which calls `lock_usable_invitation` and
  `mark_invitation_used` in its transaction.

Every state change writes its audit event; customers' addresses and names never go into the
audit trail (it is never erased, they must be).
"""

import csv
import hmac
import io
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from accounts.models import User
from audit.models import AuditEvent
from audit.services import record_event
from brands.models import Brand, Invitation, InvitationOptOut, Membership, Place
from config.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from config.text import has_control_characters

# Owners and managers invite; agents answer reviews but do not handle customers' addresses.
INVITING_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)
# Invitations that may still be emailed, used, declined or cancelled.
OPEN_STATUSES = (Invitation.Status.SCHEDULED, Invitation.Status.SENT, Invitation.Status.REMINDED)
OPT_OUT_SALT = "brands.invitation.opt-out"

CSV_COLUMNS = ("email", "name", "order_reference", "purchase_date", "place", "product", "language")
CSV_REQUIRED = ("email", "order_reference", "purchase_date")
# Words of a column that would let a brand pick whom to invite by their mood (FTC-2).
GATING_WORDS = re.compile(
    r"rating|rate|note|star|etoile|étoile|satisf|nps|score|recommend|recommand|mood|humeur|"
    r"happy|content|sentiment|feedback|avis|review|csat|promoter|promoteur|detract",
    re.IGNORECASE,
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


# What a brand sees of an invitation's status. Whether the customer wrote a review or declined
# is one status to the brand: "reviewed" next to an address, with the review's purchase date
# and place, would tell the brand who wrote which review (a brand never sees a reviewer's
# address). Counts per status appear only in the brand's aggregate figures.
CLOSED_FOR_BRAND = "closed"
BRAND_STATUS_LABELS = {
    Invitation.Status.SCHEDULED: _("to be sent"),
    Invitation.Status.SENT: _("sent"),
    Invitation.Status.REMINDED: _("reminder sent"),
    Invitation.Status.CANCELLED: _("cancelled by the brand"),
    CLOSED_FOR_BRAND: _("closed: the customer reviewed or declined"),
}


def status_for_brand(invitation: Invitation) -> str:
    if invitation.status in (Invitation.Status.REVIEWED, Invitation.Status.OPTED_OUT):
        return CLOSED_FOR_BRAND
    return invitation.status


class InvitationExpired(ApplicationError):
    status_code = status.HTTP_410_GONE
    code = "invitation_expired"


# WHO MAY INVITE
# ------------------------------------------------------------------------------


def can_invite(*, user: User, brand: Brand) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(brand=brand, user=user, role__in=INVITING_ROLES).exists()
    )


def ensure_can_invite(*, user: User, brand: Brand) -> None:
    if not can_invite(user=user, brand=brand):
        raise PermissionDeniedError(
            _("Only an owner or a manager of the brand can invite its customers."),
            code="not_brand_manager",
        )


# CREATING INVITATIONS
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationRow:
    """One customer to invite, as the brand typed it: a form, a CSV line or an API item.

    `number` is its line in the file (the header is line 1) or its position in the batch;
    `problems` holds what could not even be read, as (field, message).
    """

    number: int
    email: str = ""
    order_reference: str = ""
    purchase_date: date | None = None
    name: str = ""
    place: str = ""  # the place's slug
    product: str = ""
    language: str = ""
    problems: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RowError:
    number: int
    problems: list[tuple[str, str]]  # (field, message)


@dataclass
class InvitationBatch:
    """What an upload did: invitations created, rows skipped as already invited, rows refused."""

    created: list[Invitation] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def email_digest(email: str) -> str:
    """A keyed hash of an address: what an opt-out keeps, so that it never stores the address."""
    key = (settings.VOIX_HASH_KEY or f"voix-fingerprints:{settings.SECRET_KEY}").encode()
    return hmac.new(key, f"invitation-email:{email.strip().lower()}".encode(), "sha256").hexdigest()


def _clean(value: str) -> str:
    return " ".join(str(value).split())


def _check_row(
    row: InvitationRow, *, places: dict[str, Place], today: date
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The row's values, ready to store, and its problems (empty when it can be stored): those
    found in reading it (`row.problems`), then those of the other fields."""
    problems: list[tuple[str, str]] = []
    email = row.email.strip().lower()
    if not email:
        problems.append(("email", str(_("The email address is missing."))))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(("email", str(_("This is not a valid email address."))))
    reference = _clean(row.order_reference)
    if not reference:
        problems.append(("order_reference", str(_("The order reference is missing."))))
    elif len(reference) > 100:
        problems.append(
            ("order_reference", str(_("The order reference is too long (100 characters at most).")))
        )
    purchase = row.purchase_date
    if purchase is None:
        problems.append(("purchase_date", str(_("The date of purchase is missing."))))
    elif purchase > today:
        problems.append(
            (
                "purchase_date",
                str(_("The date of purchase is in the future: invite the customer after it.")),
            )
        )
    elif purchase < today - settings.REVIEW_EXPERIENCE_MAX_AGE:
        problems.append(
            (
                "purchase_date",
                str(
                    _("The purchase is too old to be reviewed (%(days)d days at most).")
                    % {"days": settings.REVIEW_EXPERIENCE_MAX_AGE.days}
                ),
            )
        )
    name, product = _clean(row.name), _clean(row.product)
    if len(name) > 200:
        problems.append(("name", str(_("The name is too long (200 characters at most)."))))
    if len(product) > 200:
        problems.append(("product", str(_("The product is too long (200 characters at most)."))))
    for field_name, text in (("order_reference", reference), ("name", name), ("product", product)):
        if has_control_characters(text):
            message = _("This text contains invisible control characters.")
            problems.append((field_name, str(message)))
    place = None
    if row.place.strip():
        place = places.get(row.place.strip().lower())
        if place is None:
            problems.append(("place", str(_("This brand has no place with this identifier."))))
    language = row.language.strip().lower()[:2]
    if language and language not in dict(settings.LANGUAGES):
        problems.append(("language", str(_("Unknown language (fr or en)."))))
    read = {name for name, _message in row.problems}
    problems = [*row.problems, *(p for p in problems if p[0] not in read)]
    values = {
        "email": email,
        "order_reference": reference,
        "purchase_date": purchase,
        "name": name,
        "product": product,
        "place": place,
        "language": language,
    }
    return values, problems


@transaction.atomic
def create_invitations(
    *,
    brand: Brand,
    actor: User,
    rows: Sequence[InvitationRow],
    customers_only: bool,
    source: str,
) -> InvitationBatch:
    """Create an invitation for each valid row; skip rows already invited (same order and
    address, in this batch or before); refuse the others with their problems, storing nothing
    for them. `customers_only` is the brand's attestation that the rows are customers, no
    staff or relatives (FTC-5): without it, nothing is created. `source`: form, csv or api."""
    ensure_can_invite(user=actor, brand=brand)
    if not customers_only:
        raise ApplicationError(
            _(
                "Please confirm that the list contains only customers: no employees, no "
                "relatives, nobody invited for a reward."
            ),
            field="customers_only",
            code="attestation_required",
        )
    if len(rows) > settings.INVITATION_UPLOAD_MAX_ROWS:
        raise ApplicationError(
            _("Too many customers at once (%(max)d at most): split the list.")
            % {"max": settings.INVITATION_UPLOAD_MAX_ROWS},
            code="too_many_rows",
        )
    now = timezone.now()
    # Per brand, whoever invites and however (form, CSV, API): a stolen account or token
    # cannot turn the platform into a mass mailer.
    limit, period = settings.INVITATION_RATE_LIMIT_BRAND
    recent = Invitation.objects.filter(brand=brand, created_at__gt=now - period).count()
    if recent + len(rows) > limit:
        raise RateLimitedError(
            _(
                "This brand has created many invitations recently (%(limit)d in %(hours)d hours "
                "at most). Please try again later."
            )
            % {"limit": limit, "hours": period.total_seconds() // 3600},
            code="rate_limited_brand",
        )
    today = timezone.localdate(now)
    places = {place.slug.lower(): place for place in Place.objects.filter(brand=brand)}
    batch = InvitationBatch()
    checked = []
    for row in rows:
        values, problems = _check_row(row, places=places, today=today)
        if problems:
            batch.errors.append(RowError(number=row.number, problems=problems))
        else:
            checked.append((row.number, values))
    opted_out = set(
        InvitationOptOut.objects.filter(
            brand=brand, email_hash__in=[email_digest(v["email"]) for _n, v in checked]
        ).values_list("email_hash", flat=True)
    )
    seen = set(
        Invitation.objects.filter(
            brand=brand, order_reference__in=[v["order_reference"] for _n, v in checked]
        ).values_list("order_reference", "email")
    )
    for number, values in checked:
        key = (values["order_reference"], values["email"])
        if key in seen:
            batch.duplicates.append(number)
            continue
        if email_digest(values["email"]) in opted_out:
            message = _("This customer asked not to receive invitations from this brand.")
            batch.errors.append(RowError(number=number, problems=[("email", str(message))]))
            continue
        seen.add(key)
        invitation = _create(brand=brand, actor=actor, values=values, now=now, source=source)
        if invitation is None:
            batch.duplicates.append(number)  # created meanwhile by another upload
        else:
            batch.created.append(invitation)
    batch.errors.sort(key=lambda error: error.number)
    return batch


def _create(
    *, brand: Brand, actor: User, values: dict[str, Any], now: datetime, source: str
) -> Invitation | None:
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                brand=brand,
                token=secrets.token_urlsafe(32),
                send_after=now + settings.INVITATION_SEND_DELAY,
                created_by=actor,
                created_at=now,
                **values,
            )
    except IntegrityError:
        return None
    record_event(
        actor=actor,
        action=AuditEvent.Action.INVITATION_CREATED,
        target=invitation,
        to_status=invitation.status,
        details={
            "brand_id": brand.pk,
            "place_id": invitation.place_id,
            "source": source,
            "customers_only_attested": True,
            "send_after": invitation.send_after.isoformat(),
        },
    )
    return invitation


@transaction.atomic
def create_invitation(
    *,
    brand: Brand,
    actor: User,
    email: str,
    order_reference: str,
    purchase_date: date | None,
    name: str = "",
    place: str = "",
    product: str = "",
    language: str = "",
    customers_only: bool,
    source: str = "form",
) -> Invitation:
    """Invite one customer. A problem raises (with the field it is about); an order and
    address already invited raise a conflict."""
    row = InvitationRow(
        number=1,
        email=email,
        order_reference=order_reference,
        purchase_date=purchase_date,
        name=name,
        place=place,
        product=product,
        language=language,
    )
    batch = create_invitations(
        brand=brand, actor=actor, rows=[row], customers_only=customers_only, source=source
    )
    if batch.errors:
        field_name, message = batch.errors[0].problems[0]
        raise ApplicationError(message, field=field_name, code="invalid_invitation")
    if batch.duplicates:
        raise ConflictError(
            _("This customer was already invited for this order."), code="already_invited"
        )
    return batch.created[0]


# READING A CSV FILE
# ------------------------------------------------------------------------------


def _header_name(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", raw.strip().lstrip("\ufeff").strip().lower())


def read_invitation_csv(data: bytes) -> list[InvitationRow]:
    """The rows of an uploaded file: UTF-8 (or Windows-1252, as spreadsheets save it), comma-,
    semicolon- or tab-separated, a header line with the columns of CSV_COLUMNS. A file with any
    other column is refused whole, with a particular message for columns about satisfaction
    (FTC-2): a list of customers cannot be filtered by their mood."""
    if len(data) > settings.INVITATION_UPLOAD_MAX_BYTES:
        raise ApplicationError(
            _("The file is too large (%(max)d KiB at most).")
            % {"max": settings.INVITATION_UPLOAD_MAX_BYTES // 1024},
            field="file",
            code="file_too_large",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise ApplicationError(_("The file is empty."), field="file", code="empty_file")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[InvitationRow] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [_header_name(cell) for cell in cells]
                _check_header(header)
                continue
            rows.append(_csv_row(reader.line_num, header, cells))
            if len(rows) > settings.INVITATION_UPLOAD_MAX_ROWS:
                raise ApplicationError(
                    _("Too many customers at once (%(max)d at most): split the list.")
                    % {"max": settings.INVITATION_UPLOAD_MAX_ROWS},
                    field="file",
                    code="too_many_rows",
                )
    except csv.Error as error:
        raise ApplicationError(
            _("The file is not a valid CSV file (%(error)s).") % {"error": error},
            field="file",
            code="invalid_csv",
        ) from None
    if not rows:
        raise ApplicationError(_("The file has no customer."), field="file", code="empty_file")
    return rows


def _check_header(header: list[str]) -> None:
    unknown = [name for name in header if name not in CSV_COLUMNS]
    gating = [name for name in unknown if GATING_WORDS.search(name)]
    if gating:
        raise ApplicationError(
            _(
                "The file has a column about the customers' opinion (%(columns)s). Invitations "
                "go to every customer, whatever they think: remove this column. Selecting "
                "customers by their satisfaction is forbidden."
            )
            % {"columns": ", ".join(gating)},
            field="file",
            code="gating_column",
        )
    if unknown:
        raise ApplicationError(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(CSV_COLUMNS)},
            field="file",
            code="unknown_column",
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in CSV_REQUIRED if name not in header]
    if duplicated or missing:
        raise ApplicationError(
            _("The header must name each of these columns once: %(columns)s.")
            % {"columns": ", ".join(CSV_REQUIRED)},
            field="file",
            code="missing_column",
        )


def parse_date(value: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None


def _csv_row(number: int, header: list[str], cells: list[str]) -> InvitationRow:
    problems = []
    if len(cells) > len(header):
        problems.append(("", str(_("This line has more cells than the header has columns."))))
    values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
    raw_date = values.get("purchase_date", "")
    purchase = parse_date(raw_date) if raw_date else None
    if raw_date and purchase is None:
        problems.append(
            (
                "purchase_date",
                str(
                    _("“%(value)s” is not a date (write 2026-03-31 or 31/03/2026).")
                    % {"value": raw_date}
                ),
            )
        )
    return InvitationRow(
        number=number,
        email=values.get("email", ""),
        order_reference=values.get("order_reference", ""),
        purchase_date=purchase,
        name=values.get("name", ""),
        place=values.get("place", ""),
        product=values.get("product", ""),
        language=values.get("language", ""),
        problems=tuple(problems),
    )


# SENDING
# ------------------------------------------------------------------------------


def list_due_invitation_ids(*, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Invitations whose email or reminder is due, oldest first."""
    now = now or timezone.now()
    first = Q(status=Invitation.Status.SCHEDULED, send_after__lte=now)
    reminder = Q(
        status=Invitation.Status.SENT,
        sent_at__lte=now - settings.INVITATION_REMINDER_AFTER,
        sent_at__gt=now - settings.INVITATION_LINK_MAX_AGE,
    )
    due = Invitation.objects.filter(first | reminder).order_by("send_after", "pk")
    return list(due.values_list("pk", flat=True)[: limit or settings.INVITATION_SEND_BATCH])


def _due_kind(invitation: Invitation, *, now: datetime) -> str | None:
    if invitation.status == Invitation.Status.SCHEDULED and invitation.send_after <= now:
        return "invitation"
    if (
        invitation.status == Invitation.Status.SENT
        and invitation.sent_at is not None
        and invitation.sent_at <= now - settings.INVITATION_REMINDER_AFTER
        and invitation.sent_at > now - settings.INVITATION_LINK_MAX_AGE
    ):
        return "reminder"
    return None


@transaction.atomic
def send_invitation(*, invitation_id: int) -> str | None:
    """Email the invitation, or its one reminder, when due; returns "invitation", "reminder" or
    None when neither is due (sent already, reviewed, declined, cancelled): safe to redeliver.

    The row is locked (a second worker skips it), the email is sent, then the status and the
    audit event are written in the same transaction: a crash in between sends the email again
    rather than never.
    """
    invitation = (
        Invitation.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("brand", "place")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return None
    now = timezone.now()
    kind = _due_kind(invitation, now=now)
    if kind is None:
        return None
    if kind == "invitation":
        invitation.sent_at = now
    invitation_email(invitation, reminder=kind == "reminder").send()
    previous = invitation.status
    if kind == "invitation":
        invitation.status = Invitation.Status.SENT
        action = AuditEvent.Action.INVITATION_SENT
        invitation.save(update_fields=["status", "sent_at"])
    else:
        invitation.status = Invitation.Status.REMINDED
        invitation.reminded_at = now
        action = AuditEvent.Action.INVITATION_REMINDED
        invitation.save(update_fields=["status", "reminded_at"])
    record_event(
        actor=None,
        action=action,
        target=invitation,
        from_status=previous,
        to_status=invitation.status,
        details={"brand_id": invitation.brand_id},
    )
    return kind


def invitation_language(invitation: Invitation) -> str:
    return invitation.language or settings.LANGUAGE_CODE


def link_expires_at(invitation: Invitation) -> datetime | None:
    if invitation.sent_at is None:
        return None
    return invitation.sent_at + settings.INVITATION_LINK_MAX_AGE


def make_opt_out_token(*, invitation: Invitation) -> str:
    """Never expires: declining must always work (ISO-COL-5). No timestamp: the invitation and
    its reminder carry the same link."""
    return signing.Signer(salt=OPT_OUT_SALT).sign(str(invitation.pk))


def review_link(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("reviews:write-invited", kwargs={"token": invitation.token})


def opt_out_link(invitation: Invitation) -> str:
    token = make_opt_out_token(invitation=invitation)
    return settings.SITE_URL + reverse("brands:invitation-opt-out", kwargs={"token": token})


def invitation_email(invitation: Invitation, *, reminder: bool = False) -> EmailMessage:
    """The invitation (or reminder) in the customer's language, French unless the brand knows
    better. It states who asks and for whom, about what, where and how the review will appear,
    and links the terms (ISO-COL-2/3); the opt-out link works without an account, and mail
    clients offer it as a one-click unsubscribe (RFC 8058)."""
    site = settings.SITE_URL
    opt_out = opt_out_link(invitation)
    brand = invitation.brand
    expires = link_expires_at(invitation)
    context = {
        "invitation": invitation,
        "brand": brand,
        "place": invitation.place,
        "reminder": reminder,
        "site_name": settings.SITE_NAME,
        "review_link": review_link(invitation),
        "opt_out_link": opt_out,
        "expires_on": timezone.localdate(expires) if expires else None,
        "brand_url": site + reverse("brand-detail", args=[brand.slug]),
        "how_reviews_work_url": site + reverse("how-reviews-work"),
        "code_of_conduct_url": site + reverse("code-of-conduct"),
        "decision_max_days": settings.REVIEW_DECISION_MAX_DELAY.days,
    }
    with translation.override(invitation_language(invitation)):
        subject = render_to_string("brands/email/invitation_subject.txt", context)
        body = render_to_string("brands/email/invitation_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[invitation.email],
        headers={
            "List-Unsubscribe": f"<{opt_out}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# THE CUSTOMER DECLINES; THE BRAND CANCELS
# ------------------------------------------------------------------------------


def _lock(invitation_id: Any) -> Invitation | None:
    return Invitation.objects.select_for_update().filter(pk=invitation_id).first()


def _close(
    invitation: Invitation, *, to: str, action: str, actor: User | None, **details: Any
) -> None:
    previous = invitation.status
    invitation.status = to
    fields = ["status"]
    if to == Invitation.Status.OPTED_OUT:
        invitation.opted_out_at = timezone.now()
        fields.append("opted_out_at")
    invitation.save(update_fields=fields)
    record_event(
        actor=actor,
        action=action,
        target=invitation,
        from_status=previous,
        to_status=to,
        details={"brand_id": invitation.brand_id, **details},
    )


def get_invitation_for_opt_out(*, token: str) -> Invitation:
    try:
        invitation_id = int(signing.Signer(salt=OPT_OUT_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise ApplicationError(
            _("This link is not valid."), field="token", code="invalid_link"
        ) from None
    invitation = Invitation.objects.select_related("brand").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFoundError(_("This invitation does not exist."))
    return invitation


@transaction.atomic
def opt_out_of_invitation(*, token: str, whole_brand: bool) -> Invitation:
    """The customer follows the link of the email, with no account: no reminder, and the link
    no longer writes a review (ISO-COL-5). With `whole_brand`, this brand may never invite the
    address again: its other open invitations close too, and a keyed hash of the address is
    kept to refuse later ones. A second call changes nothing and records nothing."""
    found = get_invitation_for_opt_out(token=token)
    invitation = _lock(found.pk)
    assert invitation is not None  # invitations are never deleted
    changed = False
    if whole_brand:
        _opt_out, created = InvitationOptOut.objects.get_or_create(
            brand_id=invitation.brand_id,
            email_hash=email_digest(invitation.email),
            defaults={"created_at": timezone.now()},
        )
        changed = created
    if invitation.status in OPEN_STATUSES:
        _close(
            invitation,
            to=Invitation.Status.OPTED_OUT,
            action=AuditEvent.Action.INVITATION_OPTED_OUT,
            actor=None,
            whole_brand=whole_brand,
        )
    elif changed:
        record_event(
            actor=None,
            action=AuditEvent.Action.INVITATION_OPTED_OUT,
            target=invitation,
            details={"brand_id": invitation.brand_id, "whole_brand": True},
        )
    if whole_brand:
        others = (
            Invitation.objects.select_for_update()
            .filter(brand_id=invitation.brand_id, email=invitation.email, status__in=OPEN_STATUSES)
            .exclude(pk=invitation.pk)
            .order_by("pk")
        )
        for other in others:
            _close(
                other,
                to=Invitation.Status.OPTED_OUT,
                action=AuditEvent.Action.INVITATION_OPTED_OUT,
                actor=None,
                whole_brand=True,
                through_invitation_id=invitation.pk,
            )
    return invitation


@transaction.atomic
def cancel_invitation(*, brand: Brand, invitation_id: int, actor: User) -> Invitation:
    """An owner or manager withdraws an invitation not yet used (a colleague or a relative
    invited by mistake, FTC-5): nothing more is sent and its link no longer works."""
    ensure_can_invite(user=actor, brand=brand)
    invitation = _lock(invitation_id)
    if invitation is None or invitation.brand_id != brand.pk:
        raise NotFoundError(_("This invitation does not exist."))
    if invitation.status not in OPEN_STATUSES:
        raise ConflictError(
            _("This invitation is closed: it can no longer be cancelled."),
            code="invitation_closed",
        )
    _close(
        invitation,
        to=Invitation.Status.CANCELLED,
        action=AuditEvent.Action.INVITATION_CANCELLED,
        actor=actor,
    )
    return invitation


# THE LINK WRITES ONE REVIEW (called by reviews.services.submit_review)
# ------------------------------------------------------------------------------


def ensure_invitation_usable(invitation: Invitation, *, brand: Brand, now: datetime) -> None:
    """Refuse a link that was never sent, that is for another brand, used, declined,
    cancelled or expired (INVITATION_LINK_MAX_AGE after it was sent)."""
    if invitation.status == Invitation.Status.SCHEDULED or invitation.sent_at is None:
        raise NotFoundError(_("This invitation link is not valid."), code="invitation_invalid")
    if invitation.brand_id != brand.pk:
        raise ApplicationError(
            _("This invitation is for another brand."), code="invitation_other_brand"
        )
    if invitation.status == Invitation.Status.REVIEWED:
        raise ConflictError(
            _("A review was already written from this invitation: one review per invitation."),
            code="invitation_used",
        )
    if invitation.status in (Invitation.Status.OPTED_OUT, Invitation.Status.CANCELLED):
        raise InvitationExpired(
            _("This invitation was closed: it can no longer be used to write a review."),
            code="invitation_closed",
        )
    if now > invitation.sent_at + settings.INVITATION_LINK_MAX_AGE:
        raise InvitationExpired(
            _("This invitation expired %(days)d days after it was sent.")
            % {"days": settings.INVITATION_LINK_MAX_AGE.days}
        )


def lock_usable_invitation(*, invitation_id: int, brand: Brand, now: datetime) -> Invitation:
    """Inside the review's transaction: the invitation, locked, if it can write a review."""
    invitation = _lock(invitation_id)
    if invitation is None:
        raise NotFoundError(_("This invitation link is not valid."), code="invitation_invalid")
    ensure_invitation_usable(invitation, brand=brand, now=now)
    return invitation


def mark_invitation_used(
    *, invitation: Invitation, review_id: int, author: User, now: datetime
) -> None:
    """Inside the review's transaction, once the review exists: no reminder will follow."""
    previous = invitation.status
    invitation.status, invitation.reviewed_at = Invitation.Status.REVIEWED, now
    invitation.save(update_fields=["status", "reviewed_at"])
    record_event(
        actor=author,
        action=AuditEvent.Action.INVITATION_USED,
        target=invitation,
        from_status=previous,
        to_status=invitation.status,
        details={"brand_id": invitation.brand_id, "review_id": review_id},
    )
