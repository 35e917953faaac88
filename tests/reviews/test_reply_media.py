"""Photos and videos in brand replies (NF-RES-6): checked on upload, re-encoded, looked at by a
moderator before anyone else sees them, then shown with their description on public pages and
in the API."""

import io
import json

import pytest
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from audit.models import AuditEvent
from moderation.models import WorkItem
from reviews.models import Reply, ReplyAttachment, ReplyVersion
from tests.reviews.replying import CLEAN_REPLY, UPDATED_REPLY, moderator_decides

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)


@pytest.fixture(autouse=True)
def media_storage(monkeypatch) -> InMemoryStorage:
    """A fresh private storage: the files this test stores, and nothing else."""
    storage = InMemoryStorage()
    monkeypatch.setattr(ReplyAttachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def review(answerable_review):
    return answerable_review


def photo_with_location(name: str = "vitrine.jpg") -> SimpleUploadedFile:
    """A real JPEG whose EXIF holds a GPS position, as phones write them."""
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPSInfo: latitude of Paris
    exif[0x010F] = "PhoneMaker"  # camera make
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def video(name: str = "atelier.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MP4, content_type="video/mp4")


def log_in(client, user):
    user.language = "en"
    user.save()
    client.force_login(user)


def post_reply(client, review, *, files, descriptions, text=CLEAN_REPLY, update=False, **extra):
    data = {"text": text, **extra}
    for index, (file, description) in enumerate(zip(files, descriptions, strict=True), start=1):
        data[f"attachment_{index}"] = file
        data[f"description_{index}"] = description
    name = "reviews:reply-update" if update else "reviews:reply"
    return client.post(reverse(name, args=[review.pk]), data, follow=True)


def attachment_url(attachment: ReplyAttachment) -> str:
    return reverse("reviews:reply-attachment", args=[attachment.pk])


@pytest.mark.req("NF-RES-6")
def test_a_photo_goes_to_a_moderator_then_is_shown_with_its_description(
    client,
    brand,
    brand_owner,
    review,
    moderator,
    customer,
    media_storage,
    django_capture_on_commit_callbacks,
):
    # given
    log_in(client, brand_owner)
    # when: the owner replies with a photo taken on a phone
    with django_capture_on_commit_callbacks(execute=True):
        response = post_reply(
            client, review, files=[photo_with_location()], descriptions=["La nouvelle vitrine"]
        )
    # then: received; the photo waits for a moderator, whatever the text (rule media_review)
    assert "Your reply was received." in response.content.decode()
    version = ReplyVersion.objects.get()
    assert version.status == "in_review"
    item = WorkItem.objects.get(submission__object_id=str(version.pk), submission__kind="reply")
    assert item.rule_code == "media_review"
    # and the stored photo is the image re-encoded: no GPS position, no camera make
    attachment = ReplyAttachment.objects.get()
    assert (attachment.kind, attachment.content_type, attachment.description) == (
        "photo",
        "image/jpeg",
        "La nouvelle vitrine",
    )
    with media_storage.open(attachment.file.name) as stored:
        content = stored.read()
    assert Image.open(io.BytesIO(content)).getexif() == {}
    assert b"PhoneMaker" not in content
    assert version.media == [
        {
            "id": attachment.pk,
            "kind": "photo",
            "content_type": "image/jpeg",
            "description": "La nouvelle vitrine",
        }
    ]
    # and the audit trail proves which file was sent
    event = AuditEvent.objects.get(action="reply_submitted")
    assert event.details["attachments"] == [
        {
            "kind": "photo",
            "content_type": "image/jpeg",
            "size": len(content),
            "sha256": attachment.sha256,
        }
    ]
    # when / then: before publication, only the brand and moderators can open it
    url = attachment_url(attachment)
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(customer)
    assert client.get(url).status_code == 404
    client.force_login(brand_owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(moderator)
    assert client.get(url).status_code == 200
    item_page = client.get(reverse("moderation:item", args=[item.pk])).content.decode()
    assert f'<img src="{url}" alt="La nouvelle vitrine">' in item_page
    # when: the moderator publishes it
    moderator_decides(version, moderator, "publish")
    # then: everyone sees it under the review, with its description as text alternative
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
    page = client.get(reverse("brand-detail", args=[brand.slug])).content.decode()
    assert f'<img src="{url}" alt="La nouvelle vitrine" loading="lazy">' in page
    api = APIClient().get(reverse("api-brand-reviews", args=[brand.slug])).json()
    assert api["results"][0]["reply"]["attachments"] == [
        {
            "url": f"http://testserver{url}",
            "kind": "photo",
            "content_type": "image/jpeg",
            "description": "La nouvelle vitrine",
        }
    ]


@pytest.mark.req("NF-RES-6")
def test_a_refused_photo_is_never_public(
    client, brand_owner, review, moderator, django_capture_on_commit_callbacks
):
    # given
    log_in(client, brand_owner)
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, review, files=[photo_with_location()], descriptions=["Le client"])
    version = ReplyVersion.objects.get()
    # when: the moderator refuses it with the rule for unsuitable media
    moderator_decides(version, moderator, "reject", "unsuitable_media")
    # then
    assert (version.status, version.rule_code) == ("rejected", "unsuitable_media")
    client.logout()
    assert client.get(attachment_url(ReplyAttachment.objects.get())).status_code == 404


@pytest.mark.req("NF-RES-6")
def test_a_video_through_the_api(brand, brand_owner, review, django_capture_on_commit_callbacks):
    # given
    api = APIClient()
    api.force_authenticate(brand_owner)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api-review-reply", args=[review.pk]),
            {"text": CLEAN_REPLY, "attachments": [video()], "descriptions": ["Notre atelier"]},
            format="multipart",
        )
    # then
    assert response.status_code == 201, response.json()
    attachment = ReplyAttachment.objects.get()
    assert (attachment.kind, attachment.content_type, attachment.size) == (
        "video",
        "video/mp4",
        len(MP4),
    )
    body = response.json()
    assert body["status"] == "submitted"  # answered before the pipeline runs
    assert ReplyVersion.objects.get().status == "in_review"
    assert body["attachments"] == [
        {
            "url": f"http://testserver{attachment_url(attachment)}",
            "kind": "video",
            "content_type": "video/mp4",
            "description": "Notre atelier",
        }
    ]


def test_a_text_only_reply_through_the_api_still_takes_json(
    brand_owner, review, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(brand_owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api-review-reply", args=[review.pk]), {"text": CLEAN_REPLY}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["attachments"] == []
    assert ReplyVersion.objects.get().status == "published"


BROKEN_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)


@pytest.mark.parametrize(
    ("files", "descriptions", "settings_override", "code", "message"),
    [
        (
            [SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>")],
            ["Une photo"],
            {},
            "unsupported_type",
            "photo.jpg is not a JPEG, PNG or WebP photo, nor an MP4 or WebM video.",
        ),
        (
            [SimpleUploadedFile("photo.jpg", BROKEN_JPEG)],
            ["Une photo"],
            {},
            "unreadable",
            "photo.jpg could not be read as a photo.",
        ),
        (
            [photo_with_location()],
            [" "],
            {},
            "description_missing",
            "Describe each photo or video in a few words (vitrine.jpg): people who cannot see "
            "it read this description.",
        ),
        (
            [photo_with_location()],
            ["x" * 201],
            {},
            "description_too_long",
            "The description of vitrine.jpg is too long (200 characters at most).",
        ),
        (
            [video()],
            ["Atelier"],
            {"REPLY_VIDEO_MAX_BYTES": 50},
            "too_large",
            "atelier.mp4 is too large (0 MB at most).",
        ),
        (
            [photo_with_location(f"{n}.jpg") for n in range(3)],
            ["a", "b", "c"],
            {"REPLY_ATTACHMENT_MAX_COUNT": 2},
            "too_many",
            "A reply may carry 2 photos or videos at most.",
        ),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(
    settings, brand_owner, review, files, descriptions, settings_override, code, message
):
    # given
    for name, value in settings_override.items():
        setattr(settings, name, value)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(brand_owner)
    # when
    response = api.post(
        reverse("api-review-reply", args=[review.pk]),
        {"text": CLEAN_REPLY, "attachments": files, "descriptions": descriptions},
        format="multipart",
    )
    # then
    assert response.status_code == 400
    assert response.json() == {"attachments": [message], "code": code}
    assert not Reply.objects.exists()
    assert not ReplyAttachment.objects.exists()
    assert not AuditEvent.objects.filter(action="reply_submitted").exists()


def test_the_api_wants_one_description_per_file(brand_owner, review):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(brand_owner)
    response = api.post(
        reverse("api-review-reply", args=[review.pk]),
        {"text": CLEAN_REPLY, "attachments": [video()]},
        format="multipart",
    )
    assert response.status_code == 400
    assert json.dumps(response.json()).count("Give one description per attached file") == 1
    assert not Reply.objects.exists()


@pytest.mark.req("NF-RES-6")
def test_a_new_version_keeps_or_drops_the_attachments(
    client, brand_owner, review, moderator, django_capture_on_commit_callbacks
):
    # given: a published reply with a photo
    log_in(client, brand_owner)
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, review, files=[photo_with_location()], descriptions=["Vitrine"])
    first = ReplyVersion.objects.get()
    moderator_decides(first, moderator, "publish")
    # when: the text changes, the photo is kept (same file, a row of the new version)
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(client, review, files=[], descriptions=[], text=UPDATED_REPLY, update=True)
    second = ReplyVersion.objects.get(number=2)
    # then: it goes to a moderator again, with the same photo
    assert second.status == "in_review"
    kept = second.attachments.get()
    assert (kept.file.name, kept.sha256) == (
        first.attachments.get().file.name,
        first.attachments.get().sha256,
    )
    moderator_decides(second, moderator, "publish")
    # when: the same text again, same photo: nothing to change
    response = post_reply(
        client, review, files=[], descriptions=[], text=UPDATED_REPLY, update=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "This is the text of the reply already."
    ]
    # when: the same text without the photo
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(
            client,
            review,
            files=[],
            descriptions=[],
            text=UPDATED_REPLY,
            update=True,
            remove_attachments="1",
        )
    # then: a third version, text only, published by the pipeline
    third = ReplyVersion.objects.get(number=3)
    assert (third.status, third.media, third.attachments.count()) == ("published", [], 0)
    assert ReplyVersion.objects.count() == 3


def test_the_reply_form_offers_the_attachment_fields(client, brand, brand_owner, review):
    log_in(client, brand_owner)
    html = client.get(reverse("reviews:brand-reviews", args=[brand.slug])).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert html.count('type="file"') == 4
    assert 'accept="image/jpeg,image/png,image/webp,video/mp4,video/webm"' in html


def test_a_photo_keeps_the_orientation_its_camera_meant(brand_owner, review, media_storage):
    # given: a landscape sensor image that the camera marks "turn 90°" (EXIF orientation 6)
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x0112] = 6
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("portrait.jpg", output.getvalue())
    api = APIClient()
    api.force_authenticate(brand_owner)
    # when
    response = api.post(
        reverse("api-review-reply", args=[review.pk]),
        {"text": CLEAN_REPLY, "attachments": [upload], "descriptions": ["Portrait"]},
        format="multipart",
    )
    # then: stored upright, without the EXIF tag any more
    assert response.status_code == 201
    with media_storage.open(ReplyAttachment.objects.get().file.name) as stored:
        upright = Image.open(io.BytesIO(stored.read()))
        assert (upright.size, dict(upright.getexif())) == ((48, 64), {})
