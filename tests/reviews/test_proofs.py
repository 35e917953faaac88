"""The author sends a proof of experience a moderator asked for (NF-COL-5): the page, the API,
what is refused (type by content, size, deadline, someone else's review, twice)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from config.errors import NotFoundError
from moderation.models import ProofRequest, WorkItem
from reviews.services import withdraw_review
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.proofs import (
    HTML,
    JPEG,
    PDF,
    PNG,
    document,
    fresh_private_storage,
    open_item,
    request_proof,
    stored_files,
    submit_in_review,
    upload,
)


@pytest.fixture(autouse=True)
def private_files(monkeypatch):
    return fresh_private_storage(monkeypatch)


@pytest.fixture
def in_review(customer, brand):
    return submit_in_review(customer, brand)


@pytest.fixture
def asked(in_review, moderator):
    """A moderator asked the author of a doubtful review for a proof."""
    return request_proof(in_review, moderator)


@pytest.fixture
def parsed(monkeypatch):
    """How many request bodies were parsed as multipart (Django's parser, which DRF uses)."""
    calls = []
    parse = MultiPartParser.parse

    def spy(self):
        calls.append(self)
        return parse(self)

    monkeypatch.setattr(MultiPartParser, "parse", spy)
    return calls


def in_english(user):
    """Logged-in users read the site in their account's language; messages checked in English."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def author_client(client, customer):
    client.force_login(in_english(customer))
    return client


def page_url(review) -> str:
    return reverse("reviews:proof-upload", args=[review.pk])


def api_url(review) -> str:
    return reverse("api-review-proof", args=[review.pk])


def proof_events(proof) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="moderation.proofrequest", object_id=str(proof.pk))
    )


def assert_nothing_stored(proof, files) -> None:
    proof.refresh_from_db()
    assert (proof.status, proof.document.name, proof.size) == ("requested", "", 0)
    assert [e.action for e in proof_events(proof)] == ["proof_requested"]
    assert not WorkItem.objects.filter(proof=proof).exists()
    assert stored_files(files) == []


# Asking


@pytest.mark.req("NF-COL-5")
def test_a_moderator_asks_the_author_of_a_doubtful_review_for_a_proof(
    in_review, moderator, customer
):
    # given
    item = open_item(in_review, WorkItem.Kind.REVIEW)
    mail.outbox.clear()
    # when
    proof = request_proof(in_review, moderator)
    # then: the request, its deadline, its event; the review waits, the item is done
    assert (proof.requested_by, proof.deadline) == (
        moderator,
        proof.requested_at + settings.PROOF_UPLOAD_DEADLINE,
    )
    event = AuditEvent.objects.get(action="proof_requested")
    assert (event.actor, event.object_id, event.to_status) == (
        moderator,
        str(proof.pk),
        "requested",
    )
    assert event.details["deadline"] == proof.deadline.isoformat()
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
    item.refresh_from_db()
    assert (item.state, item.outcome) == ("done", "request_proof")
    # and the author is told, with the page where to send it
    assert [m.to for m in mail.outbox] == [[customer.email]]
    assert page_url(in_review) in mail.outbox[0].body


# The page


@pytest.mark.req("NF-COL-5")
def test_the_page_says_what_is_asked_why_by_when_and_who_sees_it(author_client, asked, in_review):
    # when
    response = author_client.get(page_url(in_review), HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" enctype="multipart/form-data"' in html
    assert 'accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"' in html
    assert "an invoice, a receipt, an order or" in html
    assert "5 MB at most" in html
    assert "/charte/#rule-no_consumer_experience" in html
    assert "“verified review — proof of purchase provided”" in html
    assert (
        f'Deadline: <strong><time datetime="{timezone.localtime(asked.deadline).isoformat()}">'
        in html
    )
    assert "Only our moderators: never the brand, never the public." in html
    assert "kept for 3 years" in html


@pytest.mark.req("NF-COL-5")
def test_the_author_sends_a_pdf_from_the_page(
    private_files, author_client, asked, in_review, customer
):
    # when
    response = author_client.post(page_url(in_review), {"document": document()})
    # then: stored privately, examined by a moderator
    assert response.status_code == 302
    assert response.url == page_url(in_review)
    asked.refresh_from_db()
    assert (asked.status, asked.content_type, asked.size) == (
        "submitted",
        "application/pdf",
        len(PDF),
    )
    assert asked.document.name == f"proofs/{asked.uploaded_at:%Y/%m}/{asked.pk}.pdf"
    assert stored_files(private_files) == [asked.document.name]
    with private_files.open(asked.document.name) as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(action="proof_uploaded")
    assert (event.actor, event.from_status, event.to_status, event.details) == (
        customer,
        "requested",
        "submitted",
        {"submission_id": asked.submission_id, "content_type": "application/pdf", "size": len(PDF)},
    )
    item = WorkItem.objects.get(proof=asked)
    assert (item.kind, item.state, item.due_at) == (
        "proof",
        "open",
        asked.uploaded_at + settings.PROOF_DECISION_MAX_DELAY,
    )
    # and the page now says it was received
    html = author_client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "We received your document on" in html
    assert 'type="file"' not in html


def test_the_page_checks_the_csrf_token(private_files, customer, asked, in_review):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    # when
    response = client.post(page_url(in_review), {"document": document()})
    # then
    assert response.status_code == 403
    assert_nothing_stored(asked, private_files)


def test_the_page_refuses_an_html_file_named_pdf(private_files, author_client, asked, in_review):
    # when
    response = author_client.post(
        page_url(in_review),
        {"document": document("facture.pdf", HTML)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert response.status_code == 400
    assert "Send a PDF, JPEG or PNG document." in response.content.decode()
    assert_nothing_stored(asked, private_files)


def test_the_page_refuses_an_oversized_body_before_reading_it(
    private_files, author_client, asked, in_review, settings, parsed
):
    # given
    settings.PROOF_MAX_BYTES = 1024 * 1024
    big = document("facture.pdf", PDF + bytes(2 * 1024 * 1024))
    # when
    response = author_client.post(page_url(in_review), {"document": big}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 413
    assert "The document is too large (1 MB at most)." in response.content.decode()
    assert parsed == []
    assert_nothing_stored(asked, private_files)


def test_the_page_without_a_file_asks_for_one(private_files, author_client, asked, in_review):
    # when
    response = author_client.post(page_url(in_review), {}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert_nothing_stored(asked, private_files)


@pytest.mark.parametrize("who", ["another customer", "brand member", "moderator"])
def test_the_page_of_someone_elses_review_is_not_found(
    private_files, client, asked, in_review, brand, who
):
    # given
    user = {
        "another customer": lambda: UserFactory(),
        "brand member": lambda: MembershipFactory(brand=brand, role="owner").user,
        "moderator": lambda: UserFactory(role="moderator", moderation_languages=["fr"]),
    }[who]()
    client.force_login(user)
    # when
    get = client.get(page_url(in_review))
    post = client.post(page_url(in_review), {"document": document()})
    # then
    assert (get.status_code, post.status_code) == (404, 404)
    assert_nothing_stored(asked, private_files)


def test_the_page_asks_visitors_to_log_in(private_files, client, asked, in_review):
    # when
    response = client.post(page_url(in_review), {"document": document()})
    # then
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert_nothing_stored(asked, private_files)


def test_the_page_says_when_no_proof_is_asked(author_client, in_review):
    # when
    html = author_client.get(page_url(in_review), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = author_client.post(
        page_url(in_review), {"document": document()}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then
    assert "No proof of experience is asked for this review." in html
    assert 'type="file"' not in html
    assert response.status_code == 409
    assert "No proof is requested for this content." in response.content.decode()


# The API


@pytest.mark.req("NF-COL-5")
def test_the_author_sends_a_pdf_through_the_api(author_client, asked, in_review):
    # when
    response = author_client.post(api_url(in_review), {"document": document()})
    # then
    assert response.status_code == 201
    asked.refresh_from_db()
    assert response.json() == {
        "id": asked.pk,
        "status": "submitted",
        "requested_at": response.json()["requested_at"],
        "deadline": response.json()["deadline"],
        "content_type": "application/pdf",
        "size": len(PDF),
        "uploaded_at": response.json()["uploaded_at"],
        "decided_at": None,
    }
    assert asked.status == "submitted"
    assert WorkItem.objects.filter(proof=asked, kind="proof", state="open").count() == 1


def test_the_author_reads_what_is_asked_through_the_api(author_client, asked, in_review):
    # when
    response = author_client.get(api_url(in_review))
    # then
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["size"]) == ("requested", 0)
    assert response.json()["deadline"] is not None


@pytest.mark.parametrize(
    ("name", "content", "declared", "stored_type"),
    [
        ("facture.pdf", PNG, "application/pdf", "image/png"),  # judged by content, not name
        ("photo.jpg", JPEG, "image/jpeg", "image/jpeg"),
        ("ticket", PDF, "application/octet-stream", "application/pdf"),
    ],
)
def test_the_type_is_the_content_s_not_the_name_s(
    author_client, asked, in_review, name, content, declared, stored_type
):
    # when
    response = author_client.post(
        api_url(in_review), {"document": document(name, content, declared)}
    )
    # then
    assert response.status_code == 201
    asked.refresh_from_db()
    assert asked.content_type == stored_type
    assert asked.document.name.endswith(
        {"image/png": ".png", "image/jpeg": ".jpg"}.get(stored_type, ".pdf")
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("facture.pdf", HTML),  # an HTML page renamed .pdf
        ("facture.pdf", b"GIF89a" + bytes(20)),
        ("facture.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("facture.exe", b"MZ\x90\x00" + bytes(20)),
    ],
)
def test_the_api_refuses_what_is_not_a_pdf_jpeg_or_png(
    private_files, author_client, asked, in_review, name, content
):
    # when
    response = author_client.post(
        api_url(in_review),
        {"document": document(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Send a PDF, JPEG or PNG document.",
        "code": "proof_invalid_type",
    }
    assert_nothing_stored(asked, private_files)


def test_the_api_refuses_a_document_over_the_size_limit(
    private_files, author_client, asked, in_review, settings, parsed
):
    # given: just over the limit, in a body the endpoint reads
    settings.PROOF_MAX_BYTES = 1024 * 1024
    content = PDF + bytes(1024 * 1024 - len(PDF) + 1)
    # when
    response = author_client.post(
        api_url(in_review),
        {"document": document("facture.pdf", content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The document is too large (1 MB at most).",
        "code": "proof_too_large",
    }
    assert len(parsed) == 1  # read, then refused by the service
    assert_nothing_stored(asked, private_files)


def test_the_api_accepts_a_document_of_exactly_the_limit(author_client, asked, in_review):
    # given: 5 MB, over Django's own in-memory limits (DATA_UPLOAD_MAX_MEMORY_SIZE is 1 MiB,
    # files over 2.5 MB go to a temporary file): they do not get in the way
    assert settings.PROOF_MAX_BYTES == 5 * 1024 * 1024
    content = PDF + bytes(settings.PROOF_MAX_BYTES - len(PDF))
    # when
    response = author_client.post(api_url(in_review), {"document": document("f.pdf", content)})
    # then
    assert response.status_code == 201
    assert response.json()["size"] == settings.PROOF_MAX_BYTES


def test_the_api_refuses_an_oversized_body_with_413_before_reading_it(
    private_files, author_client, asked, in_review, settings, parsed
):
    # given: far over the limit (Django's own limits would take it to a temporary file)
    settings.PROOF_MAX_BYTES = 1024 * 1024
    content = PDF + bytes(3 * 1024 * 1024)
    # when
    response = author_client.post(
        api_url(in_review), {"document": document("f.pdf", content)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The document is too large (1 MB at most).",
        "code": "proof_too_large",
    }
    assert parsed == []
    assert_nothing_stored(asked, private_files)


def test_the_api_refuses_a_body_without_a_document(private_files, author_client, asked, in_review):
    # when
    response = author_client.post(api_url(in_review), {"note": "voilà"}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 400
    assert response.json() == {"document": ["No file was submitted."]}
    assert_nothing_stored(asked, private_files)


def test_the_api_refuses_an_empty_file(private_files, author_client, asked, in_review):
    # when
    response = author_client.post(api_url(in_review), {"document": document("f.pdf", b"")})
    # then
    assert response.status_code == 400
    assert "document" in response.json()
    assert_nothing_stored(asked, private_files)


def test_the_api_refuses_json(private_files, author_client, asked, in_review):
    # when
    response = author_client.post(
        api_url(in_review), {"document": "JVBERi0="}, content_type="application/json"
    )
    # then
    assert response.status_code == 415
    assert_nothing_stored(asked, private_files)


def test_without_a_request_pending_the_api_answers_409(author_client, in_review):
    # when
    response = author_client.post(
        api_url(in_review), {"document": document()}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then
    assert response.status_code == 409
    assert response.json() == {
        "detail": "No proof is requested for this content.",
        "code": "no_proof_requested",
    }
    assert not ProofRequest.objects.exists()
    assert author_client.get(api_url(in_review)).status_code == 404


def test_after_the_deadline_the_api_answers_400(
    private_files, author_client, asked, in_review, customer
):
    # given
    with time_machine.travel(asked.deadline + datetime.timedelta(seconds=1), tick=False):
        author_client.force_login(customer)
        # when
        response = author_client.post(
            api_url(in_review), {"document": document()}, HTTP_ACCEPT_LANGUAGE="en"
        )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The deadline to send a proof is over.",
        "code": "proof_deadline_passed",
    }
    assert_nothing_stored(asked, private_files)


def test_at_the_deadline_the_document_is_still_taken(author_client, asked, in_review, customer):
    # given
    with time_machine.travel(asked.deadline, tick=False):
        author_client.force_login(customer)
        # when
        response = author_client.post(api_url(in_review), {"document": document()})
    # then
    assert response.status_code == 201


def test_after_the_deadline_the_page_says_it_is_over(author_client, asked, in_review, customer):
    # given
    with time_machine.travel(asked.deadline + datetime.timedelta(hours=1), tick=False):
        author_client.force_login(customer)
        # when
        html = author_client.get(page_url(in_review), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert "The deadline to send a document was" in html
    assert 'type="file"' not in html


def test_sending_twice_answers_409(author_client, asked, in_review):
    # given
    assert author_client.post(api_url(in_review), {"document": document()}).status_code == 201
    # when
    response = author_client.post(
        api_url(in_review), {"document": document("autre.png", PNG)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "no_proof_requested"
    asked.refresh_from_db()
    assert (asked.status, asked.content_type) == ("submitted", "application/pdf")
    assert AuditEvent.objects.filter(action="proof_uploaded").count() == 1
    assert WorkItem.objects.filter(proof=asked).count() == 1


@pytest.mark.parametrize("who", ["another customer", "brand owner", "moderator", "operator"])
def test_someone_elses_review_is_not_found(private_files, client, asked, in_review, brand, who):
    # given
    user = {
        "another customer": lambda: UserFactory(),
        "brand owner": lambda: MembershipFactory(brand=brand, role="owner").user,
        "moderator": lambda: UserFactory(role="moderator", moderation_languages=["fr"]),
        "operator": lambda: UserFactory(role="operator", moderation_languages=["fr"]),
    }[who]()
    client.force_login(in_english(user))
    # when
    post = client.post(api_url(in_review), {"document": document()}, HTTP_ACCEPT_LANGUAGE="en")
    get = client.get(api_url(in_review))
    # then
    assert (post.status_code, get.status_code) == (404, 404)
    assert post.json() == {"detail": "This review does not exist.", "code": "not_found"}
    assert_nothing_stored(asked, private_files)


def test_visitors_must_log_in(private_files, client, asked, in_review):
    # when
    response = client.post(api_url(in_review), {"document": document()})
    # then
    assert response.status_code == 403
    assert_nothing_stored(asked, private_files)


def test_an_unknown_review_is_not_found(author_client):
    # when
    response = author_client.post(
        reverse("api-review-proof", args=[999999]), {"document": document()}
    )
    # then
    assert response.status_code == 404


def test_a_withdrawn_review_takes_no_proof(
    private_files, author_client, asked, in_review, customer
):
    # given: withdrawing closes the request and the review's work in the queue
    withdraw_review(review_id=in_review.pk, author=customer)
    asked.refresh_from_db()
    assert asked.status == "withdrawn"
    assert not WorkItem.objects.filter(submission=asked.submission, state="open").exists()
    # when
    response = author_client.post(api_url(in_review), {"document": document()})
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "review_withdrawn"
    asked.refresh_from_db()
    assert (asked.status, asked.document.name, asked.size) == ("withdrawn", "", 0)
    assert [e.action for e in proof_events(asked)] == ["proof_requested", "proof_decided"]
    assert stored_files(private_files) == []


def test_the_service_refuses_someone_elses_review(private_files, asked, in_review):
    # when / then
    with pytest.raises(NotFoundError):
        upload(in_review, UserFactory())
    assert_nothing_stored(asked, private_files)
