"""The author's page to send the proof of experience a moderator asked for (NF-COL-5, FR-17).

The document is checked by its content and size in moderation.services.upload_proof. The request
body is capped before anything reads it: Django's upload limits are global and let any file
through (to a temporary file), so an oversized upload gets a clean 413 here, never a 500 nor a
gigabyte on disk. That check runs before the CSRF check (which reads the body), hence the
csrf_exempt view that checks the size, then calls the csrf_protect one.
"""

from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from config.errors import ApplicationError, NotFoundError
from config.requests import authenticated_user
from moderation.information import describe_duration
from moderation.models import ProofRequest
from moderation.rules import RULES
from moderation.selectors import get_latest_proof_request
from reviews.models import Review
from reviews.selectors import get_review
from reviews.services import upload_review_proof

# What the file input offers; the content decides (moderation.services.sniff_document_type).
PROOF_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
# Room for the multipart framing and the other fields around the document.
PROOF_BODY_OVERHEAD = 64 * 1024
PROOF_RULE = "no_consumer_experience"


def proof_body_too_large(request: HttpRequest) -> bool:
    """Whether the declared body cannot hold an acceptable document. Django reads no more than
    CONTENT_LENGTH bytes, so checking it bounds what is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django reads an invalid length as an empty body
    return length > settings.PROOF_MAX_BYTES + PROOF_BODY_OVERHEAD


def proof_too_large_message() -> str:
    return _("The document is too large (%(max)s MB at most).") % {
        "max": settings.PROOF_MAX_BYTES // (1024 * 1024)
    }


class ProofUploadForm(forms.Form):
    document = forms.FileField(
        label=gettext_lazy("Your document (PDF, JPEG or PNG)"),
        widget=forms.FileInput(attrs={"accept": PROOF_ACCEPT}),
    )


def _author_review(request: HttpRequest, review_id: int) -> Review:
    review = get_review(review_id=review_id)
    if review is None or review.author_id != authenticated_user(request).pk:
        raise Http404
    return review


def _page(
    request: HttpRequest,
    review: Review,
    form: ProofUploadForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    proof = get_latest_proof_request(kind="review", object_id=str(review.pk))
    now = timezone.now()
    rule = RULES[PROOF_RULE]
    language = translation.get_language() or "fr"
    waiting = proof is not None and proof.status == ProofRequest.Status.REQUESTED
    in_time = proof is not None and now <= proof.deadline
    decision_due: datetime | None = None
    if proof is not None and proof.uploaded_at is not None:
        decision_due = proof.uploaded_at + settings.PROOF_DECISION_MAX_DELAY
    return render(
        request,
        "reviews/proof_upload.html",
        {
            "review": review,
            "proof": proof,
            "form": form,
            "error": error,
            "open": waiting and in_time,
            "late": waiting and not in_time,
            "decision_due": decision_due,
            "max_mb": settings.PROOF_MAX_BYTES // (1024 * 1024),
            "retention": describe_duration(settings.REVIEW_RETENTION),
            "rule_code": rule.code,
            "rule_title": rule.title(language),
        },
        status=status,
    )


@csrf_exempt  # the size is checked first, then the CSRF token (see the module docstring)
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proof_upload(request: HttpRequest, review_id: int) -> HttpResponse:
    """GET: what is asked, why, by when, and who sees it. POST: send the document."""
    review = _author_review(request, review_id)
    if request.method == "POST" and proof_body_too_large(request):
        return _page(
            request, review, ProofUploadForm(), error=proof_too_large_message(), status=413
        )
    return _proof_upload(request, review)


@csrf_protect
def _proof_upload(request: HttpRequest, review: Review) -> HttpResponse:
    if request.method != "POST":
        return _page(request, review, ProofUploadForm())
    form = ProofUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, review, form, status=400)
    try:
        upload_review_proof(
            review_id=review.pk,
            author=authenticated_user(request),
            document=form.cleaned_data["document"],
        )
    except NotFoundError:
        raise Http404 from None
    except ApplicationError as error:
        return _page(request, review, form, error=str(error.message), status=error.status_code)
    messages.success(
        request, _("Thank you: your document was received. A moderator will examine it.")
    )
    return redirect("reviews:proof-upload", review_id=review.pk)
