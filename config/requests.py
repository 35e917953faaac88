from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User


def authenticated_user(request: HttpRequest | Request) -> "User":
    """The logged-in user of a view that requires one (typed for the services)."""
    user = request.user
    if not user.is_authenticated:
        raise NotAuthenticated
    return cast("User", user)
