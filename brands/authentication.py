"""Brand API tokens on the DRF APIs that accept them (brands/integrations.py).

A view accepts tokens by listing `BrandTokenAuthentication` first in its authentication
classes (`TOKEN_AUTHENTICATION`) and `token_scope(<scope>)` in its permissions. On any other
view a Bearer header authenticates nothing. `request.auth` is the BrandApiToken (its brand and
scopes); `request.user` its creator, whom the services check as usual.
"""

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import User
from brands.integrations import authenticate_api_token
from brands.models import BrandApiToken
from config.errors import PermissionDeniedError


class BrandTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, BrandApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("Invalid Authorization header: Bearer <key>."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise AuthenticationFailed(_("Invalid API token.")) from None
        token = authenticate_api_token(key=key)
        if token is None:
            raise AuthenticationFailed(_("Invalid or revoked API token."))
        return token.created_by, token

    def authenticate_header(self, request: Request) -> str | None:
        """401 for a request that sent a key; without one, the 403 of the other classes."""
        header = get_authorization_header(request).split()
        if header and header[0].lower() == self.keyword:
            return 'Bearer realm="api"'
        return None


# The authentication of a view that accepts brand tokens besides sessions.
TOKEN_AUTHENTICATION: list[type[BaseAuthentication]] = [
    BrandTokenAuthentication,
    *cast("list[type[BaseAuthentication]]", api_settings.DEFAULT_AUTHENTICATION_CLASSES),
]


class BrandTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The brand API token in the OpenAPI schema: `Authorization: Bearer voix_<prefix>_<secret>`."""

    target_class = BrandTokenAuthentication
    name = "brandToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A brand API token."}


def request_token(request: Request) -> BrandApiToken | None:
    return request.auth if isinstance(request.auth, BrandApiToken) else None


def _brand_id_of_view(view: APIView) -> int | None:
    """The brand the request is about: the `slug` of the URL, or what the view says with a
    `token_brand_id()` method (e.g. the brand of a review: brands cannot read reviews). None
    when it does not exist (the view answers 404)."""
    from brands.models import Brand

    kwargs: dict[str, Any] = view.kwargs
    if "slug" in kwargs:
        return Brand.objects.filter(slug=kwargs["slug"]).values_list("pk", flat=True).first()
    brand_of = getattr(view, "token_brand_id", None)
    return brand_of() if brand_of is not None else None


def ensure_token_allows(token: BrandApiToken, *, scope: str, brand_id: int | None) -> None:
    if scope not in token.scopes:
        raise PermissionDeniedError(
            _("This API token does not have the “%(scope)s” scope.") % {"scope": scope},
            code="token_scope",
        )
    if brand_id is not None and brand_id != token.brand_id:
        raise PermissionDeniedError(
            _("This API token belongs to another brand."), code="token_brand"
        )


def token_scope(scope: str) -> type[BasePermission]:
    """A permission: a request with a brand token needs `scope`, on the token's brand. Other
    requests are left to the view's other permissions."""

    class HasTokenScope(BasePermission):
        def has_permission(self, request: Request, view: APIView) -> bool:
            token = request_token(request)
            if token is not None:
                ensure_token_allows(token, scope=scope, brand_id=_brand_id_of_view(view))
            return True

    HasTokenScope.__name__ = f"HasTokenScope_{scope}"
    return HasTokenScope
