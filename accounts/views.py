import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import AccountErasureForm, LanguageForm
from accounts.privacy import erase_account, export_personal_data
from accounts.services import set_interface_language
from config.requests import authenticated_user


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus the logged-in user's saved preference."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            set_interface_language(user=authenticated_user(request), language=language)
        from django.conf import settings

        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600
        )
    return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What Voix holds about me, how to download it and how to erase my account."""
    return render(request, "accounts/privacy_my_data.html")


@login_required
@require_POST
def export_my_data(request: HttpRequest) -> HttpResponse:
    """The export as a JSON file (a POST: it is audited, and no prefetch may trigger it)."""
    user = authenticated_user(request)
    data = export_personal_data(user_id=user.pk, actor=user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"voix-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def erase_my_account(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = AccountErasureForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        erase_account(user_id=user.pk, actor=user, reviews=form.cleaned_data["reviews"])
        logout(request)
        messages.success(request, _("Your account has been erased."))
        return redirect("home")
    return render(request, "accounts/privacy_erase.html", {"form": form})
