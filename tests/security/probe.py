"""Request every URL pattern as every role of tests/security/world.py (tests only)."""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from tests.security.world import World, days_ago, project_writes, row_counts

# Where the matrix does not go: Django's admin has its own test (its URLs are per model).
NOT_IN_MATRIX = ("admin/",)
FORM = "application/x-www-form-urlencoded"
API_PREFIX = "api/v1/"
# Arguments a URL takes from another entry of World.kwargs than its own name.
ARGUMENT_SOURCES = {
    "brands:claim-verify": {"token": "claim_token"},
    "brands:invitation-opt-out": {"token": "opt_out_token"},
    "reviews:appeal-notice": {"token": "appeal_token"},
}

REVIEW_TEXT = (
    "Accueil chaleureux, pain encore tiède et croissants croustillants. "
    "J'y retourne chaque samedi matin avec plaisir."
)
REPLY_TEXT = "Merci pour votre retour, toute l'équipe est ravie de vous revoir bientôt."
EXPLANATION = "Cette personne n'est jamais venue dans cette boutique, aucune commande."


def _review_fields(world: World) -> dict[str, Any]:
    return {
        "channel": "in_store",
        "rating": 4,
        "title": "Très bonne boulangerie",
        "text": REVIEW_TEXT,
        "language": "fr",
        "experience_date": days_ago(3).isoformat(),
        "attested": True,
    }


def _invitation(world: World) -> dict[str, Any]:
    return {
        "email": "client2@example.net",
        "order_reference": "CMD-2001",
        "purchase_date": days_ago(2).isoformat(),
        "customers_only": True,
    }


# A valid body for each request that changes something, so that the matrix proves who may do
# it (the services check permissions after the input is valid): a role allowed gets its change
# through, any other is refused and nothing changes. Requests not listed send an empty body.
BODIES: dict[str, dict[str, Callable[[World], dict[str, Any]]]] = {
    # Pages (form-encoded)
    "brands:claim": {"POST": lambda w: {"email": "contact@dupain.fr"}},
    "brands:invitation-create": {"POST": _invitation},
    "brands:integration-token-create": {"POST": lambda w: {"name": "Caisse 2", "scopes": "reply"}},
    "brands:integration-webhook-create": {
        "POST": lambda w: {"url": "https://hooks.dupain.fr/b", "events": "review.removed"}
    },
    "reviews:write": {"POST": _review_fields},
    "reviews:write-in-store": {"POST": _review_fields},
    "reviews:report": {
        "POST": lambda w: {
            "flag-source": "brand_flag",
            "flag-flag_reason": "not_a_customer",
            "flag-explanation": EXPLANATION,
        }
    },
    "reviews:reply-update": {"POST": lambda w: {"text": REPLY_TEXT}},
    "reviews:reply-report": {
        "POST": lambda w: {
            "conduct-source": "code_of_conduct",
            "conduct-rule_code": "off_topic",
            "conduct-explanation": EXPLANATION,
        }
    },
    "reviews:appeal-report": {"POST": lambda w: {"explanation": EXPLANATION}},
    "moderation:item-decide": {"POST": lambda w: {"action": "accept_proof"}},
    "erase-account": {
        "POST": lambda w: {"reviews": "keep", "password": "correct-horse-battery", "confirm": "on"}
    },
    # API (JSON)
    "api-me-erase": {"POST": lambda w: {"reviews": "keep", "password": "correct-horse-battery"}},
    "api-user-role": {"POST": lambda w: {"role": "moderator"}},
    "api-user-languages": {"POST": lambda w: {"languages": ["fr"]}},
    "api-brand-claim": {"POST": lambda w: {"email": "contact@dupain.fr"}},
    "api-brand-claim-verify": {"POST": lambda w: {"token": w.kwargs["claim_token"]}},
    "api-brand-invitations": {"POST": _invitation},
    "api-brand-api-tokens": {"POST": lambda w: {"name": "Caisse 2", "scopes": ["reply"]}},
    "api-brand-webhooks": {
        "POST": lambda w: {"url": "https://hooks.dupain.fr/b", "events": ["review.removed"]}
    },
    "api-membership-role": {"POST": lambda w: {"role": "manager"}},
    "api-moderation-item-decide": {"POST": lambda w: {"action": "accept_proof"}},
    "api-moderation-bulk-decide": {
        "POST": lambda w: {"item_ids": [w.item.pk], "action": "accept_proof"}
    },
    "api-reviews": {"POST": lambda w: {**_review_fields(w), "brand": w.brand.slug}},
    "api-review-reply": {
        "POST": lambda w: {"text": REPLY_TEXT},
        "PUT": lambda w: {"text": REPLY_TEXT},
    },
    "api-review-reports": {
        "POST": lambda w: {
            "source": "code_of_conduct",
            "rule_code": "no_consumer_experience",
            "explanation": EXPLANATION,
        }
    },
    "api-review-flags": {
        "POST": lambda w: {"flag_reason": "not_a_customer", "explanation": EXPLANATION}
    },
    "api-appeals": {"POST": lambda w: {"report_id": w.report.pk, "explanation": EXPLANATION}},
}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    callback: Any

    @property
    def is_api(self) -> bool:
        return self.route.startswith(API_PREFIX)

    @property
    def arguments(self) -> list[str]:
        """The names of its arguments: `<int:review_id>`, `(?P<key>...)`."""
        return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.route)]

    @property
    def methods(self) -> tuple[str, ...]:
        """What each role tries: the methods an API view implements; GET and POST on a page
        (a page that takes no POST must answer 405 to it, and so on)."""
        view_class = getattr(self.callback, "view_class", None)
        if view_class is not None and issubclass(view_class, APIView):
            implemented = [
                m.upper()
                for m in ("get", "post", "put", "patch", "delete")
                if hasattr(view_class, m)
            ]
            return tuple(implemented)
        return ("GET", "POST")


def routes() -> Iterator[Route]:
    """Every named URL pattern of the project, walked from the resolver."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(NOT_IN_MATRIX):
                    continue
                assert pattern.name, f"the URL pattern {route!r} has no name"
                yield Route(namespace + pattern.name, route, pattern.callback)

    yield from walk(get_resolver().url_patterns, "", "")


def url_of(route: Route, world: World) -> str:
    """The URL with the world's object for each argument (`<int:review_id>`, `(?P<key>...)`)."""
    sources = ARGUMENT_SOURCES.get(route.name, {})
    kwargs = {name: world.kwargs[sources.get(name, name)] for name in route.arguments}
    return reverse(route.name, kwargs=kwargs)


def outcome(response: Any) -> str:
    """The status as the matrix writes it: "login" for a redirect to the login page."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith((settings.LOGIN_URL, reverse("account_login"))):
            return "login"
    return str(response.status_code)


def request_as(world: World, role: str, route: Route, method: str) -> tuple[str, bool]:
    """The outcome of one request, and whether it changed any row; undone afterwards, so that
    every request meets the same world."""
    url = url_of(route, world)
    body = BODIES.get(route.name, {}).get(method, lambda w: {})(world)
    client = Client()
    cache.clear()  # rate limits and cached pages
    with transaction.atomic():
        user = world.users[role]
        if user is not None:
            client.force_login(user)
        before = row_counts()
        with project_writes() as written:
            if route.is_api:
                data = json.dumps(body)
                response = client.generic(method, url, data, content_type="application/json")
            elif method == "GET":
                response = client.get(url)
            else:
                response = client.generic(method, url, urlencode(body, doseq=True), FORM)
        # rows this request wrote and kept (a write undone by its savepoint leaves the counts)
        changed = bool(written) and row_counts() != before
        transaction.set_rollback(True)
    return outcome(response), changed
