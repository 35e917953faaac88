"""Photos and videos a brand attaches to its reply (NF-RES-6): checked when uploaded, stored
privately, shown once a moderator has looked at them (rule "media_review").

An upload is trusted for nothing it declares: its type comes from its first bytes, a photo must
decode as an image and is re-encoded, which drops its metadata (GPS position, camera serial).
Videos cannot be re-encoded without a video toolkit: they are published as uploaded, after a
moderator has watched them, and the form says so.
"""

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from brands.selectors import is_brand_member
from config.errors import ApplicationError
from reviews.models import ReplyAttachment, ReplyVersion
from reviews.services import normalise_text

# (first bytes, offset, content type); MP4's "ftyp" box name sits after the box size.
_SIGNATURES = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"ftyp", 4, "video/mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
)
_WEBP = "image/webp"  # RIFF....WEBP
# What the file inputs offer to pick (the server checks the bytes whatever the browser sends).
MEDIA_ACCEPT = "image/jpeg,image/png,image/webp,video/mp4,video/webm"
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


@dataclass(frozen=True)
class AttachmentUpload:
    """What a brand member sends: a file and the text alternative that describes it."""

    file: UploadedFile
    description: str


@dataclass(frozen=True)
class PreparedAttachment:
    kind: str
    content_type: str
    name: str
    content: bytes
    description: str


def sniff_media_type(head: bytes) -> str:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    return next(
        (kind for magic, at, kind in _SIGNATURES if head[at : at + len(magic)] == magic), ""
    )


def prepare_attachments(
    uploads: Sequence[AttachmentUpload], *, kept: int = 0
) -> list[PreparedAttachment]:
    """Check every upload before anything is stored; the first problem refuses them all (400).
    `kept` is the number of attachments carried over from the previous version."""
    if kept + len(uploads) > settings.REPLY_ATTACHMENT_MAX_COUNT:
        raise _refuse(
            _("A reply may carry %(max)d photos or videos at most.")
            % {"max": settings.REPLY_ATTACHMENT_MAX_COUNT},
            "too_many",
        )
    return [_prepare(upload) for upload in uploads]


def _prepare(upload: AttachmentUpload) -> PreparedAttachment:
    name = upload.file.name or "attachment"
    description = normalise_text(upload.description, field="attachments")
    if not description:
        raise _refuse(
            _(
                "Describe each photo or video in a few words (%(name)s): people who cannot see it "
                "read this description."
            )
            % {"name": name},
            "description_missing",
        )
    if len(description) > settings.REPLY_ATTACHMENT_DESCRIPTION_MAX_LENGTH:
        raise _refuse(
            _("The description of %(name)s is too long (%(max)d characters at most).")
            % {"name": name, "max": settings.REPLY_ATTACHMENT_DESCRIPTION_MAX_LENGTH},
            "description_too_long",
        )
    upload.file.seek(0)
    content_type = sniff_media_type(upload.file.read(16))
    upload.file.seek(0)
    if not content_type:
        raise _refuse(
            _("%(name)s is not a JPEG, PNG or WebP photo, nor an MP4 or WebM video.")
            % {"name": name},
            "unsupported_type",
        )
    is_video = content_type.startswith("video/")
    limit = settings.REPLY_VIDEO_MAX_BYTES if is_video else settings.REPLY_PHOTO_MAX_BYTES
    if upload.file.size is None or upload.file.size > limit:
        raise _refuse(
            _("%(name)s is too large (%(max)d MB at most).")
            % {"name": name, "max": limit // (1024 * 1024)},
            "too_large",
        )
    content = upload.file.read() if is_video else _reencode(upload.file, content_type, name)
    kind = ReplyAttachment.Kind.VIDEO if is_video else ReplyAttachment.Kind.PHOTO
    return PreparedAttachment(kind, content_type, name, content, description)


def _reencode(file: UploadedFile, content_type: str, name: str) -> bytes:
    """Decode the photo and encode it again: proof it is one, and no metadata survives."""
    try:
        with Image.open(file) as image:
            if image.width * image.height > settings.REPLY_PHOTO_MAX_PIXELS:
                raise _refuse(
                    _("%(name)s has too many pixels for a photo.") % {"name": name}, "too_large"
                )
            # Turned as the camera meant (its EXIF orientation is about to be dropped).
            pixels = ImageOps.exif_transpose(image)
            if content_type == "image/jpeg":
                pixels = pixels.convert("RGB")
            output = io.BytesIO()
            pixels.save(output, format=_PILLOW_FORMATS[content_type])
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise _refuse(
            _("%(name)s could not be read as a photo.") % {"name": name}, "unreadable"
        ) from None
    return output.getvalue()


def _refuse(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, field="attachments", code=code)


def attach(
    version: ReplyVersion,
    prepared: Sequence[PreparedAttachment],
    *,
    carried_from: ReplyVersion | None,
) -> list[ReplyAttachment]:
    """Store the attachments of a new version: those carried from the previous version first
    (same files, new rows), then the new uploads."""
    carried = list(carried_from.attachments.all()) if carried_from is not None else []
    rows = [
        ReplyAttachment(
            version=version,
            position=position,
            kind=old.kind,
            content_type=old.content_type,
            file=old.file.name,
            size=old.size,
            sha256=old.sha256,
            description=old.description,
        )
        for position, old in enumerate(carried, start=1)
    ]
    for position, item in enumerate(prepared, start=len(rows) + 1):
        row = ReplyAttachment(
            version=version,
            position=position,
            kind=item.kind,
            content_type=item.content_type,
            size=len(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
            description=item.description,
        )
        row.file.save(item.name, ContentFile(item.content), save=False)
        rows.append(row)
    if not rows:
        return []
    rows = ReplyAttachment.objects.bulk_create(rows)
    version.media = [
        {"id": r.pk, "kind": r.kind, "content_type": r.content_type, "description": r.description}
        for r in rows
    ]
    version.save(update_fields=["media"])
    return rows


def can_see_attachment(attachment: ReplyAttachment, user: "User | AnonymousUser") -> bool:
    """Everyone, once its version is published; before, or after a refusal, the brand's
    members and the moderators only (the same people who see the version's text)."""
    if attachment.version.status == ReplyVersion.Status.PUBLISHED:
        return True
    if not user.is_authenticated:
        return False
    return user.is_moderator or is_brand_member(
        user_id=user.pk, brand_id=attachment.version.reply.brand_id
    )


def audit_summary(rows: Sequence[ReplyAttachment]) -> list[dict[str, object]]:
    """What the audit trail keeps of each attachment: enough to prove a file never changed."""
    return [
        {"kind": row.kind, "content_type": row.content_type, "size": row.size, "sha256": row.sha256}
        for row in rows
    ]
