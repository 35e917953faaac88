"""A brand's integrations page (owners and managers): its API tokens, its webhooks and their
delivery log. Thin views over brands.integrations and brands.webhooks.

A new token's key and a new webhook's signing secret are shown once, in the response to the
POST that created them: they are never stored in clear (the secret only on the endpoint row,
which the page does not read back) nor kept in the session.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from brands.integration_forms import ApiTokenForm, WebhookEndpointForm
from brands.integrations import (
    can_manage_integrations,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
)
from brands.models import Brand
from brands.selectors import get_brand
from brands.webhooks import (
    DELIVERY_LOG_SIZE,
    create_webhook_endpoint,
    disable_webhook_endpoint,
    list_webhook_deliveries,
    list_webhook_endpoints,
)
from config.errors import ApplicationError
from config.requests import authenticated_user


def _brand_for_integrations(request: HttpRequest, slug: str) -> Brand:
    brand = get_brand(slug=slug)
    if brand is None:
        raise Http404
    if not can_manage_integrations(user=authenticated_user(request), brand=brand):
        raise PermissionDenied
    return brand


def _page(
    request: HttpRequest,
    brand: Brand,
    *,
    token_form: ApiTokenForm | None = None,
    webhook_form: WebhookEndpointForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    tokens = list(list_api_tokens(brand_id=brand.pk))
    return render(
        request,
        "brands/integrations.html",
        {
            "brand": brand,
            "active_tokens": [t for t in tokens if t.is_active],
            "revoked_tokens": [t for t in tokens if not t.is_active],
            "endpoints": list(list_webhook_endpoints(brand_id=brand.pk)),
            "deliveries": list_webhook_deliveries(brand_id=brand.pk),
            "delivery_log_size": DELIVERY_LOG_SIZE,
            "token_form": token_form or ApiTokenForm(),
            "webhook_form": webhook_form or WebhookEndpointForm(),
            **extra,
        },
        status=status,
    )


def _add_error(form: ApiTokenForm | WebhookEndpointForm, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


@login_required
@require_GET
def integrations(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, _brand_for_integrations(request, slug))


@login_required
@require_POST
def create_token(request: HttpRequest, slug: str) -> HttpResponse:
    brand = _brand_for_integrations(request, slug)
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            created = create_api_token(
                brand=brand,
                actor=authenticated_user(request),
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except ApplicationError as error:
            _add_error(form, error)
        else:
            return _page(request, brand, new_token=created.token, new_key=created.key)
    return _page(request, brand, token_form=form, status=400)


@login_required
@require_POST
def revoke_token(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    brand = _brand_for_integrations(request, slug)
    try:
        token = revoke_api_token(brand=brand, token_id=token_id, actor=authenticated_user(request))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name},
        )
    return redirect("brands:integrations", slug=brand.slug)


@login_required
@require_POST
def create_webhook(request: HttpRequest, slug: str) -> HttpResponse:
    brand = _brand_for_integrations(request, slug)
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = create_webhook_endpoint(
                brand=brand,
                actor=authenticated_user(request),
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except ApplicationError as error:
            _add_error(form, error)
        else:
            return _page(request, brand, new_endpoint=endpoint, new_secret=endpoint.secret)
    return _page(request, brand, webhook_form=form, status=400)


@login_required
@require_POST
def disable_webhook(request: HttpRequest, slug: str, endpoint_id: int) -> HttpResponse:
    brand = _brand_for_integrations(request, slug)
    try:
        endpoint = disable_webhook_endpoint(
            brand=brand, endpoint_id=endpoint_id, actor=authenticated_user(request)
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The webhook %(url)s was disabled: it receives no more events.")
            % {"url": endpoint.url},
        )
    return redirect("brands:integrations", slug=brand.slug)
