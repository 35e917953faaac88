"""One world for the security tests: every role of issue 8 and one object of each kind an URL
names, put in place through the real services (tests only)."""

import datetime
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from brands.integrations import create_api_token
from brands.invitations import make_opt_out_token
from brands.models import Brand, DomainClaim, Invitation, Membership, Place
from brands.services import make_claim_token
from brands.webhooks import create_webhook_endpoint
from moderation.models import ProofRequest, Report, WorkItem
from moderation.services import file_report, report_appeal_token
from reviews.models import ReplyAttachment, Review
from reviews.services import upload_review_proof
from tests.brands.invitations_support import sent_invitation
from tests.factories import BrandFactory, MembershipFactory, PlaceFactory, UserFactory
from tests.moderation.workspace import published_review, review_for_moderator
from tests.reviews.proofs import PNG, decide, document
from tests.reviews.replying import reply

# The roles of issue 8, in the order of the columns of the permission matrix.
ROLES = (
    "anonymous",
    "customer",  # an account with no tie to anything in the world
    "author",  # the author of the reviews (and of the proof) the URLs name
    "agent",  # members of the brand the URLs name
    "manager",
    "owner",
    "other_owner",  # the owner of another brand
    "moderator",
    "tied_moderator",  # a moderator who is a member (agent) of the brand
    "operator",
)


@dataclass
class World:
    users: dict[str, User | None]
    brand: Brand
    other_brand: Brand
    place: Place
    review: Review  # published, with a published reply of the brand
    held_review: Review  # sent to a moderator, a proof of experience asked and sent
    item: WorkItem  # the open work item of the reviewer's proof
    report: Report  # filed by the customer against `review`
    invitation: Invitation
    claim: DomainClaim  # the customer's pending claim on the other brand
    kwargs: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    brand = BrandFactory(name="Boulangerie Dupain", slug="dupain", domain="dupain.fr")
    place = PlaceFactory(brand=brand, name="Dupain Bastille", slug="bastille", city="Paris")
    other_brand = BrandFactory(name="Fromagerie Tome", slug="tome", domain="tome.fr")
    users: dict[str, User | None] = {
        "anonymous": None,
        "customer": UserFactory(pseudonym="Client"),
        "author": UserFactory(pseudonym="Autrice"),
        "agent": MembershipFactory(brand=brand, role="agent").user,
        "manager": MembershipFactory(brand=brand, role="manager").user,
        "owner": MembershipFactory(brand=brand, role="owner").user,
        "other_owner": MembershipFactory(brand=other_brand, role="owner").user,
        "moderator": UserFactory(role="moderator", moderation_languages=["fr", "en"]),
        "tied_moderator": UserFactory(role="moderator", moderation_languages=["fr", "en"]),
        "operator": UserFactory(role="operator", is_staff=True),
    }
    Membership.objects.create(brand=brand, user=users["tied_moderator"], role="agent")
    author, owner, moderator = users["author"], users["owner"], users["moderator"]

    review = published_review(brand=brand, author=author)
    version = reply(review, owner)
    attachment = ReplyAttachment.objects.create(
        version=version,
        position=1,
        kind="photo",
        content_type="image/png",
        file=ContentFile(PNG, name="vitrine.png"),
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
        description="La vitrine",
    )
    held_review, review_item = review_for_moderator(brand=brand, author=author, place=place)
    decide(review_item, moderator, "request_proof")
    with TestCase.captureOnCommitCallbacks(execute=True):
        upload_review_proof(review_id=held_review.pk, author=author, document=document())
    proof = ProofRequest.objects.get(submission=review_item.submission)
    item = WorkItem.objects.get(proof=proof, kind=WorkItem.Kind.PROOF)
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = file_report(
            kind="review",
            object_id=str(review.pk),
            source=Report.Source.CODE_OF_CONDUCT,
            reporter=users["customer"],
            explanation="Cette personne n'est jamais venue dans cette boutique.",
            rule_code="no_consumer_experience",
        )
    invitation = sent_invitation(brand, owner)
    token = create_api_token(brand=brand, actor=owner, name="Caisse", scopes=["read_reviews"])
    endpoint = create_webhook_endpoint(
        brand=brand, actor=owner, url="https://hooks.dupain.fr/voix", events=["review.published"]
    )
    claim = DomainClaim.objects.create(
        brand=other_brand, user=users["customer"], email="client@tome.fr"
    )
    world = World(
        users=users,
        brand=brand,
        other_brand=other_brand,
        place=place,
        review=review,
        held_review=held_review,
        item=item,
        report=report,
        invitation=invitation,
        claim=claim,
    )
    # The value of each URL argument, by name (a new argument name fails the matrix test).
    world.kwargs = {
        "slug": brand.slug,
        "place_slug": place.slug,
        "review_id": review.pk,
        "report_id": report.pk,
        "item_id": item.pk,
        "submission_id": item.submission_id,
        "proof_id": proof.pk,
        "invitation_id": invitation.pk,
        "token_id": token.token.pk,
        "endpoint_id": endpoint.pk,
        "claim_id": claim.pk,
        "membership_id": Membership.objects.get(user=users["agent"]).pk,
        "attachment_id": attachment.pk,  # of the brand's published reply
        "user_id": users["customer"].pk,  # type: ignore[union-attr]
        # Links sent by email: a real one where the URL names a stored secret.
        "token": invitation.token,
        "key": "unknown-key",
        "uidb36": "zz",
    }
    world.kwargs["claim_token"] = make_claim_token(claim=claim)
    world.kwargs["opt_out_token"] = make_opt_out_token(invitation=invitation)
    world.kwargs["appeal_token"] = report_appeal_token(report)
    return world


PROJECT_TABLES = re.compile(
    r'\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(accounts|audit|brands|moderation|reviews)_',
    re.IGNORECASE,
)


@contextmanager
def project_writes() -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements on the project's tables that this connection
    ran successfully within the block. With row counts, it tells a request's own changes from
    rows that other connections commit meanwhile (which counts alone would also see)."""
    written: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        result = execute(sql, params, many, context)
        if PROJECT_TABLES.search(sql):
            written.append(sql)
        return result

    with connection.execute_wrapper(record):
        yield written


@contextmanager
def nothing_kept() -> Iterator[None]:
    """The block leaves every table of the project as it was: it wrote nothing that stayed.
    Both the block's own writes and the row counts are needed: counts alone would also see
    rows that other connections commit meanwhile."""
    before = row_counts()
    with project_writes() as written:
        yield
    assert not (written and row_counts() != before), written


def row_counts() -> tuple[int, ...]:
    """The number of rows of every table of the project's apps, in one query."""
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ("accounts", "audit", "brands", "moderation", "reviews")
    )
    sql = " UNION ALL ".join(f'SELECT COUNT(*) FROM "{table}"' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(row[0] for row in cursor.fetchall())


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
