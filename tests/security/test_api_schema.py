"""The API against its OpenAPI schema (issue 8): every endpoint is documented, and requests
generated from the schema by Schemathesis never get a server error nor a response that
contradicts the schema, for a customer, a brand owner (session, and a brand API token) and a
moderator. Run in-process against the WSGI application, on the test database."""

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from brands.integrations import create_api_token
from tests.security.probe import routes
from tests.security.world import World, build_world

# Examples per operation and identity: the whole file stays under a minute on a shared 2-core
# machine. Raise it locally (VOIX_SCHEMATHESIS_EXAMPLES) for a deeper run.
MAX_EXAMPLES = int(os.environ.get("VOIX_SCHEMATHESIS_EXAMPLES", "4"))
CSRF_TOKEN = "a" * 32  # any 32 characters make a valid CSRF secret for Django


def openapi_document() -> dict[str, Any]:
    """The schema /api/schema/ serves, as JSON (dates and enums as plain values)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(schema, default=str))


def test_every_api_endpoint_is_in_the_schema() -> None:
    # Given the API's URL patterns, walked from the resolver, and their methods
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + route.route), method.lower())
        for route in routes()
        if route.is_api
        for method in route.methods
    }
    # When the schema is generated
    paths = openapi_document()["paths"]
    documented = {(path, method) for path, item in paths.items() for method in item}
    # Then each endpoint and method is documented, and the schema documents nothing else
    assert sorted(served - documented) == []
    assert sorted(documented - served) == []


SCHEMA = schemathesis.openapi.from_dict(openapi_document())
OPERATIONS = {
    result.ok().label: result.ok() for result in SCHEMA.get_all_operations() if result.ok()
}
IDENTITIES = ("customer", "owner-session", "owner-token", "moderator")


@contextmanager
def wsgi_in_test_transaction() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request (CONN_MAX_AGE=0):
    that would end the test's transaction. Django's test client disconnects the same signal."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def credentials(world: World, identity: str) -> dict[str, Any]:
    """Headers and cookies of one identity: a session (with its CSRF token) or a brand key."""
    if identity == "owner-token":
        created = create_api_token(
            brand=world.brand,
            actor=world.users["owner"],  # type: ignore[arg-type]
            name="Schemathesis",
            scopes=["read_reviews", "reply", "invite"],
        )
        return {"headers": {"Authorization": f"Bearer {created.key}"}, "cookies": {}}
    client = Client()
    client.force_login(world.users[identity.removesuffix("-session")])  # type: ignore[arg-type]
    return {
        "headers": {"X-CSRFToken": CSRF_TOKEN},
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_TOKEN},
    }


@pytest.mark.req("ISO-GEN-1")
@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_api_answers_as_its_schema_says(world: World, db: None, label: str, identity: str):  # type: ignore[no-untyped-def]
    operation = OPERATIONS[label]
    auth = credentials(world, identity)
    app = get_wsgi_application()

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,  # the same examples on every run: CI fails only on a change
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        # Given a request the schema allows (or not: Schemathesis also sends invalid ones)
        # When it is sent as this identity
        # Then no server error, and the response has the type and shape the schema gives
        case.call_and_validate(
            app=app,
            headers=auth["headers"],
            cookies=auth["cookies"],
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    with wsgi_in_test_transaction():
        check()
