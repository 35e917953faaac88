"""The document of a proof of experience, for the moderators who may examine it (NF-COL-5).

Proofs are stored in the private storage (config/storage.py), which has no URL: this view is the
only way to read one. Reading changes nothing, so it writes no audit event.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from config.errors import PermissionDeniedError
from config.requests import authenticated_user
from moderation.selectors import get_proof_for_moderator
from moderation.services import ensure_can_moderate

_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@require_GET
def proof_document(request: HttpRequest, proof_id: int) -> FileResponse:
    """Download the document: moderators only, and only those who may moderate its item
    (language, no tie to the brand). Anonymous visitors get a 404, like an unknown proof;
    accounts that are not moderators a 403 whatever the id, so nothing can be probed."""
    if not request.user.is_authenticated:
        raise Http404
    user = authenticated_user(request)
    if not user.is_moderator:
        raise PermissionDenied
    found = get_proof_for_moderator(proof_id=proof_id)
    if found is None:
        raise Http404
    proof, item = found
    try:
        ensure_can_moderate(moderator=user, item=item)
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from None
    response = FileResponse(
        proof.document.open("rb"),
        as_attachment=True,
        filename=f"preuve-{proof.pk}{_EXTENSIONS.get(proof.content_type, '')}",
        content_type=proof.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
