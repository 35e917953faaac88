from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from brands.forms import ClaimForm
from brands.selectors import get_brand, list_memberships
from brands.services import request_brand_claim, verify_brand_claim
from config.errors import ApplicationError
from config.requests import authenticated_user


@login_required
def claim_brand(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_brand_claim(
                user=authenticated_user(request), brand=brand, email=form.cleaned_data["email"]
            )
        except ApplicationError as error:
            form.add_error("email" if error.field else None, str(error.message))
        else:
            messages.success(
                request,
                _("Check the inbox of %(email)s: we sent a confirmation link.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("profile")
    status = 400 if form.errors else 200
    return render(request, "brands/claim.html", {"brand": brand, "form": form}, status=status)


@login_required
def verify_claim(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button; only the POST acts (mail scanners follow links)."""
    error, status = None, 200
    if request.method == "POST":
        try:
            membership = verify_brand_claim(token=token, user=authenticated_user(request))
        except ApplicationError as exc:
            error, status = str(exc.message), exc.status_code
        else:
            messages.success(
                request, _("You are now a member of %(brand)s.") % {"brand": membership.brand.name}
            )
            return redirect("profile")
    # 403 for a link sent to another account, 400 for a link expired or altered.
    return render(request, "brands/claim_verify.html", {"error": error}, status=status)


@login_required
@require_GET
def my_brands(request: HttpRequest) -> HttpResponse:
    memberships = list_memberships(user_id=authenticated_user(request).pk)
    return render(request, "brands/mine.html", {"memberships": memberships})
