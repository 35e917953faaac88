"""A brand's invitation tool (owners and managers) and the customer's opt-out page.

The list of a brand's invitations, with the invited/spontaneous figures, reads reviews: it is
reviews.invitation_views.brand_invitations, above this layer.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from brands.invitation_forms import InvitationForm, InvitationUploadForm, OptOutForm
from brands.invitations import (
    CSV_COLUMNS,
    InvitationBatch,
    can_invite,
    cancel_invitation,
    create_invitation,
    create_invitations,
    get_invitation_for_opt_out,
    opt_out_of_invitation,
    read_invitation_csv,
)
from brands.models import Brand
from brands.selectors import get_brand
from config.errors import ApplicationError, RateLimitedError
from config.requests import authenticated_user


def _brand_for_inviting(request: HttpRequest, slug: str) -> Brand:
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    if not can_invite(user=authenticated_user(request), brand=brand):
        raise PermissionDenied
    return brand


def _tool_context(brand: Brand) -> dict[str, object]:
    return {
        "brand": brand,
        "send_delay_days": settings.INVITATION_SEND_DELAY.days,
        "send_delay_hours": int(settings.INVITATION_SEND_DELAY.total_seconds() // 3600),
        "reminder_days": settings.INVITATION_REMINDER_AFTER.days,
        "link_days": settings.INVITATION_LINK_MAX_AGE.days,
        "max_rows": settings.INVITATION_UPLOAD_MAX_ROWS,
        "columns": CSV_COLUMNS,
    }


@login_required
def invite_customer(request: HttpRequest, slug: str) -> HttpResponse:
    brand = _brand_for_inviting(request, slug)
    form = InvitationForm(request.POST or None, brand=brand)
    error_status = 400  # an invalid form or a refusal; 429 past the rate limit
    if request.method == "POST" and form.is_valid():
        try:
            invitation = create_invitation(
                brand=brand, actor=authenticated_user(request), source="form", **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
            if isinstance(error, RateLimitedError):
                error_status = error.status_code
        else:
            messages.success(
                request,
                _("Invitation created: it will be sent on %(date)s.")
                % {
                    "date": date_format(
                        timezone.localtime(invitation.send_after), "DATETIME_FORMAT"
                    )
                },
            )
            return redirect("brand-invitations", slug=brand.slug)
    return render(
        request,
        "brands/invitation_form.html",
        {**_tool_context(brand), "form": form},
        status=error_status if form.errors else 200,
    )


@login_required
def upload_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """A CSV file of customers: valid lines become invitations, the others are listed with
    their problems and nothing is stored for them; lines already invited are skipped."""
    brand = _brand_for_inviting(request, slug)
    form = InvitationUploadForm(request.POST or None, request.FILES or None)
    batch: InvitationBatch | None = None
    error_status = 400
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_invitation_csv(form.cleaned_data["file"].read())
            batch = create_invitations(
                brand=brand,
                actor=authenticated_user(request),
                rows=rows,
                customers_only=form.cleaned_data["customers_only"],
                source="csv",
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
            if isinstance(error, RateLimitedError):
                error_status = error.status_code
    return render(
        request,
        "brands/invitation_upload.html",
        {**_tool_context(brand), "form": form, "batch": batch},
        status=error_status if form.errors else 200,
    )


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    brand = _brand_for_inviting(request, slug)
    try:
        cancel_invitation(
            brand=brand, invitation_id=invitation_id, actor=authenticated_user(request)
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The invitation was cancelled: nothing more will be sent."))
    return redirect("brand-invitations", slug=brand.slug)


@csrf_exempt  # the signed link is the credential; mail clients post one-click unsubscribes
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """The email's opt-out link, without an account. GET shows a button (mail scanners follow
    links); POST acts, from the page or as a one-click unsubscribe (RFC 8058), which stops this
    brand's invitations to the address."""
    try:
        invitation = get_invitation_for_opt_out(token=token)
    except ApplicationError as error:
        return render(
            request, "brands/invitation_opt_out.html", {"error": error.message}, status=400
        )
    form = OptOutForm(request.POST or None)
    done = False
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        whole_brand = one_click or (form.is_valid() and form.cleaned_data["whole_brand"])
        opt_out_of_invitation(token=token, whole_brand=whole_brand)
        if one_click:
            return HttpResponse(status=200)
        done = True
    return render(
        request,
        "brands/invitation_opt_out.html",
        {"invitation": invitation, "brand": invitation.brand, "form": form, "done": done},
    )
