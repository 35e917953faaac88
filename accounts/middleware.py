from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

# Pages that never read the session: the embeddable widget, served to any site and cached by
# shared caches (reviews/widget_views.py). The user's language is not looked up for them.
SESSIONLESS_PATH_PREFIXES = ("/widget/",)


class UserLanguageMiddleware:
    """A logged-in user sees the site in their own interface language (French by default)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(SESSIONLESS_PATH_PREFIXES):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
