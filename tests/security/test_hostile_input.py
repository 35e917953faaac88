"""Hostile input (issue 8): markup in every text field is shown escaped on every page; bodies,
uploads, text, numbers and dates out of bounds get a clear 4xx and store nothing; every form
that changes something needs its CSRF token."""

import datetime
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from brands.integrations import create_api_token
from brands.models import Invitation
from moderation.models import Decision, Report, Submission, WorkItem
from moderation.services import decide_submission, file_report
from reviews.models import ReplyVersion, Review
from tests.brands.invitations_support import invite
from tests.factories import BrandFactory, MembershipFactory, PlaceFactory, UserFactory
from tests.moderation.workspace import published_review
from tests.reviews.proofs import request_proof, submit_in_review
from tests.reviews.replying import reply
from tests.security.probe import FORM, routes, url_of
from tests.security.test_permission_matrix import MATRIX
from tests.security.world import World, build_world, nothing_kept, project_writes

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def hostile(field: str) -> str:
    return f"{field} {SCRIPT}"


def escaped(field: str) -> str:
    return f"{field} {ESCAPED}"


def publish(submission_of: Any, moderator: Any) -> None:
    """Publish what the pipeline sent to a moderator (markup may look suspicious to it)."""
    submission = submission_of()
    if submission.state == Submission.State.IN_REVIEW:
        with TestCase.captureOnCommitCallbacks(execute=True):
            decide_submission(
                submission_id=submission.pk, moderator=moderator, outcome=Decision.Outcome.PUBLISH
            )


@pytest.fixture
def markup_world(db: None) -> dict[str, Any]:
    """Markup in every text a user or a brand can write, published where it can be."""
    moderator = UserFactory(role="moderator", moderation_languages=["fr", "en"])
    brand = BrandFactory(name=hostile("brand"), slug="balise", domain="balise.fr")
    place = PlaceFactory(brand=brand, name=hostile("place"), slug="atelier")
    owner = MembershipFactory(brand=brand, role="owner").user
    author = UserFactory(pseudonym=hostile("pseudo"))
    text = (
        "Accueil chaleureux, pain encore tiède et croissants croustillants, je recommande. "
        + SCRIPT
    )
    review = published_review(
        brand=brand, author=author, text=text, title=hostile("title"), place=place
    )
    version = reply(review, owner, text=f"Merci pour votre visite, à bientôt ! {SCRIPT}")
    publish(lambda: Submission.objects.get(kind="reply", object_id=str(version.pk)), moderator)
    assert ReplyVersion.objects.get(pk=version.pk).status == ReplyVersion.Status.PUBLISHED
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = file_report(
            kind="review",
            object_id=str(review.pk),
            source=Report.Source.CODE_OF_CONDUCT,
            reporter=UserFactory(),
            explanation=hostile("report"),
            rule_code="no_consumer_experience",
        )
    invite(brand, owner, name=hostile("invitee"), product=hostile("product"))
    create_api_token(brand=brand, actor=owner, name=hostile("token"), scopes=["read_reviews"])
    return {
        "brand": brand,
        "place": place,
        "review": review,
        "owner": owner,
        "author": author,
        "moderator": moderator,
        "item": WorkItem.objects.get(report=report),
    }


@pytest.mark.req("ISO-GEN-1")
def test_markup_is_shown_escaped_on_every_page(markup_world: dict[str, Any]) -> None:
    w = markup_world
    brand, review = w["brand"], w["review"]
    # Given markup in every field, the pages that show each field, to whom
    shown = [
        (None, reverse("brand-detail", args=[brand.slug]), ["brand", "title", "pseudo", "place"]),
        (None, reverse("place-detail", args=[brand.slug, w["place"].slug]), ["brand", "place"]),
        (None, reverse("brand-widget", args=[brand.slug]), ["brand", "title"]),
        (None, reverse("review-history", args=[review.pk]), ["brand"]),
        (None, reverse("brand-search") + "?q=brand", ["brand"]),
        (w["owner"], reverse("reviews:brand-reviews", args=[brand.slug]), ["title", "pseudo"]),
        (w["owner"], reverse("brand-invitations", args=[brand.slug]), ["invitee"]),
        (w["owner"], reverse("brands:integrations", args=[brand.slug]), ["token"]),
        (w["author"], reverse("reviews:mine"), ["brand", "title"]),
        (w["moderator"], reverse("moderation:item", args=[w["item"].pk]), ["report", "title"]),
    ]
    for user, url, fields in shown:
        client = Client()
        if user is not None:
            client.force_login(user)
        # When the page is shown
        response = client.get(url)
        page = response.content.decode()
        # Then the markup is text: escaped, never raw
        assert response.status_code == 200, url
        assert SCRIPT not in page, url
        for field in fields:
            assert escaped(field) in page, (url, field)
    # And the review's text and the reply, on the brand page
    page = Client().get(reverse("brand-detail", args=[brand.slug])).content.decode()
    assert page.count(ESCAPED) >= 6  # brand, place, title, pseudonym, text, reply


@pytest.mark.req("ISO-GEN-1")
def test_no_page_shows_raw_markup_to_any_role(markup_world: dict[str, Any]) -> None:
    # Given the markup world, and every page of the site with the arguments of its objects
    w = markup_world
    world_kwargs = {
        "slug": w["brand"].slug,
        "place_slug": w["place"].slug,
        "review_id": w["review"].pk,
        "item_id": w["item"].pk,
        "submission_id": w["item"].submission_id,
    }
    pages = [
        route
        for route in routes()
        if not route.is_api and "GET" in route.methods and set(route.arguments) <= set(world_kwargs)
    ]
    assert len(pages) > 40
    for user in (None, w["owner"], w["author"], w["moderator"]):
        client = Client()
        if user is not None:
            client.force_login(user)
        for route in pages:
            url = reverse(route.name, kwargs={a: world_kwargs[a] for a in route.arguments})
            # When any role opens it
            response = client.get(url)
            # Then it never carries the markup raw
            assert SCRIPT.encode() not in response.content, (route.name, user)


# BODIES, UPLOADS, TEXT, NUMBERS AND DATES OUT OF BOUNDS
# ------------------------------------------------------------------------------


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def session(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])  # type: ignore[arg-type]
    return client


def review_body(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "brand": world.brand.slug,
        "channel": "in_store",
        "rating": 4,
        "title": "Très bonne boulangerie",
        "text": "Accueil chaleureux, pain encore tiède et croissants croustillants, merci.",
        "language": "fr",
        "experience_date": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "attested": True,
        **overrides,
    }


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def refused_and_nothing_stored(send: Any, statuses: tuple[int, ...] = (400,)) -> Any:
    """Send a request; it must be refused with a 4xx and leave every table as it was, the
    audit trail included."""
    last_event = AuditEvent.objects.order_by("-pk").first()
    with nothing_kept():
        response = send()
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert AuditEvent.objects.order_by("-pk").first() == last_event
    return response


@pytest.mark.req("ISO-GEN-1")
def test_a_body_over_the_limit_is_refused(world: World, settings: Any) -> None:
    # Given a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (1 MiB), as JSON and as a form
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    client = session(world, "customer")
    # When it is posted, Then 400 and nothing stored
    refused_and_nothing_stored(
        lambda: post_json(client, reverse("api-reviews"), review_body(world, text=big))
    )
    refused_and_nothing_stored(
        lambda: client.post(
            reverse("reviews:write", args=[world.brand.slug]), f"text={big}", content_type=FORM
        )
    )


@pytest.mark.req("ISO-GEN-1")
def test_a_proof_over_its_limit_is_refused(db: None, settings: Any) -> None:
    # Given a review whose author is asked for a proof of experience
    moderator = UserFactory(role="moderator", moderation_languages=["fr"])
    author = UserFactory()
    review = submit_in_review(author, BrandFactory())
    request_proof(review, moderator)
    client = Client()
    client.force_login(author)
    document = SimpleUploadedFile(
        "facture.pdf", b"%PDF-1.7\n" + bytes(settings.PROOF_MAX_BYTES), "application/pdf"
    )
    # When a document over PROOF_MAX_BYTES is sent, on the page and on the API
    # Then 413 (or 400, for a body just under the limit of the request) and nothing stored
    refused_and_nothing_stored(
        lambda: client.post(
            reverse("reviews:proof-upload", args=[review.pk]), {"document": document}
        ),
        (400, 413),
    )
    document.seek(0)
    refused_and_nothing_stored(
        lambda: client.post(reverse("api-review-proof", args=[review.pk]), {"document": document}),
        (400, 413),
    )
    # And a body far over it is refused before it is read
    huge = SimpleUploadedFile("f.pdf", bytes(2 * settings.PROOF_MAX_BYTES), "application/pdf")
    refused_and_nothing_stored(
        lambda: client.post(reverse("reviews:proof-upload", args=[review.pk]), {"document": huge}),
        (413,),
    )


MALFORMED = {
    "lone surrogate": "Très bien \ud800 vraiment",
    "NUL": "Très bien \x00 vraiment",
    "control character": "Très bien \x1b[31m vraiment",
    "bidirectional override": "Très bien \u202e vraiment",
}


@pytest.mark.req("ISO-GEN-1")
@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_text_is_refused_everywhere(world: World, kind: str) -> None:
    bad = MALFORMED[kind]
    customer, owner = session(world, "customer"), session(world, "owner")
    long_bad = f"{bad} " + "et encore des détails sur la visite." * 2
    # Given malformed text in each field a user writes, When it is sent, Then 400, nothing stored
    requests = [
        lambda: post_json(customer, reverse("api-reviews"), review_body(world, title=bad)),
        lambda: post_json(customer, reverse("api-reviews"), review_body(world, text=long_bad)),
        lambda: post_json(
            owner, reverse("api-review-reply", args=[world.review.pk]), {"text": long_bad}
        ),
        lambda: post_json(
            customer,
            reverse("api-review-reports", args=[world.review.pk]),
            {"source": "code_of_conduct", "rule_code": "insult", "explanation": long_bad},
        ),
        lambda: post_json(
            owner,
            reverse("api-brand-invitations", args=[world.brand.slug]),
            {
                "email": "client9@example.net",
                "order_reference": "CMD-9",
                "purchase_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
                "name": bad,
                "customers_only": True,
            },
        ),
        lambda: post_json(
            owner,
            reverse("api-brand-api-tokens", args=[world.brand.slug]),
            {"name": bad, "scopes": ["reply"]},
        ),
    ]
    for send in requests:
        refused_and_nothing_stored(send, (400, 409))


@pytest.mark.req("ISO-GEN-1")
def test_sql_looking_text_is_only_text(world: World) -> None:
    # Given text that looks like SQL
    injection = "Robert'); DROP TABLE reviews_review; -- \" OR 1=1"
    customer = session(world, "customer")
    # When it is searched for, Then nothing breaks and nothing is found
    response = Client().get(reverse("brand-search"), {"q": injection})
    assert response.status_code == 200
    response = Client().get(reverse("api-brand-list"), {"search": injection})
    assert response.status_code == 200
    # When it is the title of a review, Then it is stored as written, and the table is there
    response = post_json(customer, reverse("api-reviews"), review_body(world, title=injection[:60]))
    assert response.status_code == 201
    assert Review.objects.get(pk=response.json()["id"]).title == injection[:60]


@pytest.mark.req("ISO-GEN-1")
def test_huge_numbers_are_refused(world: World) -> None:
    customer = session(world, "customer")
    huge = 10**30
    # Given a rating and a recommendation far out of range, Then 400 and nothing stored
    for field in ("rating", "recommend_score"):
        refused_and_nothing_stored(
            lambda f=field: post_json(
                customer, reverse("api-reviews"), review_body(world, **{f: huge})
            )
        )
    # Given every URL that names an object by its id, with an id past any column
    for route in routes():
        ids = [a for a in route.arguments if a.endswith("_id")]
        if not ids:
            continue
        url = url_of(route, world)
        for name in ids:
            url = url.replace(f"/{world.kwargs[name]}/", f"/{huge}/", 1)
        # When it is requested, Then 404 like an unknown id (SQLite would overflow)
        for method in route.methods:
            response = customer.generic(method, url)
            assert response.status_code == 404, (route.name, method, url, response.status_code)
    # And a page number or a filter past any column is no server error
    operator = session(world, "operator")
    for client, url in [
        (Client(), reverse("brand-detail", args=[world.brand.slug]) + f"?page={huge}"),
        (Client(), reverse("api-reviews") + f"?brand={huge}"),
        (operator, reverse("api-moderation-measures") + f"?brand_id={huge}"),
        (operator, reverse("moderation:measures") + f"?brand_id={huge}"),
    ]:
        assert client.get(url).status_code < 500, url


OUT_OF_RANGE_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "275760-09-13", "-1-01-01"]


@pytest.mark.req("ISO-GEN-1")
@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES)
def test_dates_out_of_range_are_refused(world: World, value: str) -> None:
    customer, owner = session(world, "customer"), session(world, "owner")
    # Given a date of experience or of purchase out of range, When sent, Then 400, nothing stored
    refused_and_nothing_stored(
        lambda: post_json(
            customer, reverse("api-reviews"), review_body(world, experience_date=value)
        )
    )
    refused_and_nothing_stored(
        lambda: post_json(
            owner,
            reverse("api-brand-invitations", args=[world.brand.slug]),
            {
                "email": "client9@example.net",
                "order_reference": "CMD-9",
                "purchase_date": value,
                "customers_only": True,
            },
        )
    )
    form = {**review_body(world, experience_date=value), "attested": "on"}
    refused_and_nothing_stored(
        lambda: customer.post(reverse("reviews:write", args=[world.brand.slug]), form)
    )
    # And as a period of the measures: no server error
    operator = session(world, "operator")
    for url in (reverse("api-moderation-measures"), reverse("moderation:measures")):
        assert operator.get(url, {"start": value, "end": value}).status_code in (200, 400), url
    assert Client().get(reverse("transparency"), {"start": value}).status_code in (200, 400)


# CSRF
# ------------------------------------------------------------------------------

# The web views that take a POST: the rows of the permission matrix where some role gets
# something else than 405 (or the login page).
ROUTES = {route.name: route for route in routes()}
ROUTES_WITH_POST = {
    name
    for (name, method), row in MATRIX.items()
    if method == "POST"
    and not ROUTES[name].route.startswith("api/")
    and any(cell not in ("405", "login") for cell in row.split())
}
# Web views that take a POST without a CSRF token, and why.
CSRF_EXEMPT = {
    # The signed link is the credential; mail clients post one-click unsubscribes (RFC 8058).
    "brands:invitation-opt-out",
    # Checks the size of the upload first, then the CSRF token (reviews/proof_views.py).
    "reviews:proof-upload",
}


@pytest.mark.req("ISO-GEN-1")
@pytest.mark.parametrize("name", sorted(ROUTES_WITH_POST - CSRF_EXEMPT))
def test_every_form_needs_its_csrf_token(world: World, name: str) -> None:
    route = next(r for r in routes() if r.name == name)
    # Given each role that can post to the page, with a browser that enforces CSRF
    for role in ("anonymous", "customer", "owner", "moderator", "operator"):
        client = Client(enforce_csrf_checks=True)
        if world.users[role] is not None:
            client.force_login(world.users[role])  # type: ignore[arg-type]
        # When it posts without the token, Then 403 and nothing changes
        with project_writes() as written:
            response = client.post(url_of(route, world), {})
        assert response.status_code == 403, (role, response.status_code)
        assert written == []  # not a statement that changes a row of the project


@pytest.mark.req("ISO-GEN-1")
def test_the_csrf_exempt_views_are_the_listed_ones(world: World) -> None:
    # Then the exempt views are exactly those listed, each for its stated reason
    exempt = {
        route.name
        for route in routes()
        if not route.route.startswith("api/") and getattr(route.callback, "csrf_exempt", False)
    }
    allauth = {name for name in exempt if name.startswith("account_")}
    assert exempt - allauth == CSRF_EXEMPT
    # And the proof upload still checks the token once the size is known
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["author"])  # type: ignore[arg-type]
    response = client.post(reverse("reviews:proof-upload", args=[world.review.pk]), {})
    assert response.status_code in (403, 404)


@pytest.mark.req("ISO-GEN-1")
def test_the_api_needs_the_csrf_token_with_a_session(world: World) -> None:
    # Given a session (not a token) and a browser that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["customer"])  # type: ignore[arg-type]
    # When it posts to the API without the token, Then 403 and nothing stored
    refused_and_nothing_stored(
        lambda: post_json(client, reverse("api-reviews"), review_body(world)), (403,)
    )
    assert Invitation.objects.count() == 1
