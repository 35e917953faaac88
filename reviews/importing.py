"""Import reviews from another provider's export (CSV with a header row, or JSON lines).

Fields: external_id, brand, place, author_external_id, author_email, rating, title, text,
language, experience_date, submitted_at, client_ip, user_agent, channel, verified. Required:
external_id, brand, author_external_id, rating, text, submitted_at. See docs/import-export.md.
"""

import csv
import datetime
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from accounts.models import IMPORTED_EMAIL_DOMAIN, User
from brands.models import Brand, Place
from brands.services import create_brand, create_place
from config.errors import ApplicationError
from reviews.models import Review
from reviews.services import submit_review

REQUIRED = ("external_id", "brand", "author_external_id", "rating", "text", "submitted_at")


class BadRow(ValueError):
    pass


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)  # review ids
    already_there: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) for each record; a line that cannot be parsed yields a BadRow."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.lstrip()[:1]
    if first in ("{", "["):
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    yield number, {"__error__": f"invalid JSON: {error.msg}"}
                    continue
                yield number, row if isinstance(row, dict) else {"__error__": "not an object"}
        return
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        yield reader.line_num, row


def parse_row(row: dict[str, Any]) -> dict[str, Any]:
    if "__error__" in row:
        raise BadRow(row["__error__"])
    clean = {
        key: (str(value).strip() if value is not None else "") for key, value in row.items() if key
    }
    missing = [name for name in REQUIRED if not clean.get(name)]
    if missing:
        raise BadRow(f"missing {', '.join(missing)}")
    try:
        rating = int(clean["rating"])
    except ValueError:
        raise BadRow(f"rating is not a whole number: {clean['rating']!r}") from None
    submitted_at = parse_datetime(clean["submitted_at"])
    if submitted_at is None:
        day = parse_date(clean["submitted_at"])
        if day is None:
            raise BadRow(f"submitted_at is not a date: {clean['submitted_at']!r}")
        submitted_at = datetime.datetime.combine(day, datetime.time(12))
    if timezone.is_naive(submitted_at):
        submitted_at = timezone.make_aware(submitted_at, datetime.UTC)
    if submitted_at > timezone.now():
        raise BadRow("submitted_at is in the future")
    experience_date = submitted_at.date()
    if clean.get("experience_date"):
        parsed = parse_date(clean["experience_date"])
        if parsed is None:
            raise BadRow(f"experience_date is not a date: {clean['experience_date']!r}")
        experience_date = parsed
    channel = clean.get("channel") or Review.Channel.OTHER
    if channel not in Review.Channel.values:
        raise BadRow(f"unknown channel {channel!r}")
    return {
        **clean,
        "rating": rating,
        "submitted_at": submitted_at,
        "experience_date": experience_date,
        "channel": channel,
        "verified": clean.get("verified", "").lower() in ("1", "true", "yes", "oui"),
    }


def _brand(name: str) -> Brand:
    brand = (
        Brand.objects.filter(slug=slugify(name)).first()
        or Brand.objects.filter(name__iexact=name).first()
    )
    return brand or create_brand(name=name, actor=None)


def _place(brand: Brand, name: str) -> Place | None:
    if not name:
        return None
    place = Place.objects.filter(brand=brand, name__iexact=name).first()
    return place or create_place(brand=brand, name=name, city="", actor=None)


def _author(row: dict[str, Any]) -> User:
    """One imported account per author_external_id: no password, no login, never emailed."""
    key = hashlib.sha256(row["author_external_id"].encode()).hexdigest()[:16]
    user = User.objects.filter(is_imported=True, email__startswith=f"author-{key}@").first()
    if user is not None:
        return user
    email_domain = row.get("author_email", "").rsplit("@", 1)[-1].lower()
    # The real address is not kept (data minimisation); its domain is, for the conflict check.
    email = (
        f"author-{key}@{email_domain}.{IMPORTED_EMAIL_DOMAIN}"
        if email_domain
        else f"author-{key}@{IMPORTED_EMAIL_DOMAIN}"
    )
    user = User(
        email=email,
        pseudonym=f"Client-{key[:8]}",
        is_imported=True,
        date_joined=row["submitted_at"],
        email_verified_at=None,
    )
    user.set_unusable_password()
    user.save()
    return user


def import_row(row: dict[str, Any]) -> Review | None:
    """Store one parsed row as a submitted review; None when its external_id is already here."""
    if Review.objects.filter(external_id=row["external_id"]).exists():
        return None
    with transaction.atomic():
        brand = _brand(row["brand"])
        return submit_review(
            author=_author(row),
            brand=brand,
            place=_place(brand, row.get("place", "")),
            channel=row["channel"],
            rating=row["rating"],
            title=row.get("title") or "—",
            text=row["text"],
            language=row.get("language", ""),
            experience_date=row["experience_date"],
            attested=True,
            client_ip=row.get("client_ip"),
            user_agent=row.get("user_agent"),
            submitted_at=row["submitted_at"],
            external_id=row["external_id"],
            verification=(
                Review.Verification.INVITATION
                if row["verified"]
                else Review.Verification.SELF_DECLARED
            ),
            imported=True,
        )


def import_file(path: Path, *, progress: Any = None) -> ImportReport:
    """Parse everything, then import in submission order so the pipeline replays history."""
    report = ImportReport()
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, raw in read_rows(path):
        try:
            parsed.append((number, parse_row(raw)))
        except BadRow as error:
            report.bad_rows.append((number, str(error)))
    parsed.sort(key=lambda item: (item[1]["submitted_at"], item[0]))
    for number, row in parsed:
        try:
            review = import_row(row)
        except ApplicationError as error:
            field_name = f"{error.field}: " if error.field else ""
            report.bad_rows.append((number, f"{field_name}{error.message}"))
        else:
            if review is None:
                report.already_there += 1
            else:
                report.imported.append(review.pk)
        if progress is not None:
            progress.update(1)
    report.bad_rows.sort()
    return report
