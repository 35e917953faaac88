"""Invitations, where they meet reviews: the brand's list of its invitations with the share of
invited reviews, and the review form that an invitation's link opens (FR-17)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brands.invitations import (
    BRAND_STATUS_LABELS,
    OPEN_STATUSES,
    can_invite,
    ensure_invitation_usable,
    status_for_brand,
)
from brands.models import Invitation
from brands.selectors import (
    count_invitations_by_status,
    get_brand,
    get_invitation_by_token,
    list_brand_invitations,
)
from config.errors import ApplicationError
from config.requests import authenticated_user
from reviews.selectors import get_invitation_share
from reviews.views import review_form_page

INVITATIONS_PER_PAGE = 50


@login_required
@require_GET
def brand_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """Owners and managers: the brand's invitations, newest first, and its figures: how many
    were sent, written, declined; the share of invited reviews and their rating gap."""
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    if not can_invite(user=authenticated_user(request), brand=brand):
        raise PermissionDenied
    page = Paginator(list_brand_invitations(brand_id=brand.pk), INVITATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        (
            invitation,
            BRAND_STATUS_LABELS[status_for_brand(invitation)],
            invitation.status in OPEN_STATUSES,
        )
        for invitation in page.object_list
    ]
    counts = count_invitations_by_status(brand_id=brand.pk)
    ever_sent = sum(
        counts[status]
        for status in (
            Invitation.Status.SENT,
            Invitation.Status.REMINDED,
            Invitation.Status.REVIEWED,
            Invitation.Status.OPTED_OUT,
        )
    )
    return render(
        request,
        "brands/invitation_list.html",
        {
            "brand": brand,
            "page": page,
            "rows": rows,
            "counts": counts,
            "total": sum(counts.values()),
            "ever_sent": ever_sent,
            "conversion": round(100 * counts[Invitation.Status.REVIEWED] / ever_sent, 1)
            if ever_sent
            else None,
            "share": get_invitation_share(brand_id=brand.pk),
            "gap_alert_stars": settings.INVITATION_GAP_ALERT,
            "gap_min_reviews": settings.INVITATION_GAP_MIN_REVIEWS,
        },
    )


def write_invited_review(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation email. Anyone holding it sees what the invitation is about;
    writing needs an account with a verified email, as for any review, and it may be another
    address than the invited one (people use several). The date of the experience is the
    purchase's, and the place the invitation's when it names one: they are not asked."""
    invitation = get_invitation_by_token(token=token)
    if invitation is None:
        return render(
            request,
            "reviews/invitation_closed.html",
            {"message": None},
            status=404,
        )
    try:
        ensure_invitation_usable(invitation, brand=invitation.brand, now=timezone.now())
    except ApplicationError as error:
        return render(
            request,
            "reviews/invitation_closed.html",
            {"message": error.message, "brand": invitation.brand},
            status=error.status_code,
        )
    context = {
        "invitation": invitation,
        "expires_at": invitation.sent_at + settings.INVITATION_LINK_MAX_AGE
        if invitation.sent_at
        else None,
    }
    if not request.user.is_authenticated:
        return render(
            request, "reviews/invitation_landing.html", {**context, "brand": invitation.brand}
        )
    preset = {"invitation": invitation, "experience_date": invitation.purchase_date}
    if invitation.place is not None:
        preset["place"] = invitation.place
    return review_form_page(
        request,
        brand=invitation.brand,
        preset=preset,
        template="reviews/write_invited.html",
        context=context,
    )
