from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reviews.history import get_review_history


@require_GET
def review_history(request: HttpRequest, review_id: int) -> HttpResponse:
    """The public history of a review, whatever its status (FR-3, NF-MOD-7)."""
    history = get_review_history(review_id=review_id)
    if history is None:
        raise Http404
    return render(request, "reviews/history.html", {"history": history, "review": history.review})


@require_GET
def review_history_json(request: HttpRequest, review_id: int) -> HttpResponse:
    """The same history as JSON, with what each event's hash is computed over."""
    history = get_review_history(review_id=review_id)
    if history is None:
        raise Http404
    response = JsonResponse(history.as_json(), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="voix-review-{review_id}-history.json"'
    return response
