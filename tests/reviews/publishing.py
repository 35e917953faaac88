"""Put published reviews in place through the real services and pipeline (tests only)."""

import datetime
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from brands.models import Invitation, Membership
from moderation.models import Decision, Submission, WorkItem
from moderation.services import decide_submission, decide_work_item
from reviews.models import Review
from reviews.services import flag_review, submit_review, upload_review_proof
from tests.factories import UserFactory

_counter = itertools.count(1)

POSITIVE = (
    "Accueil chaleureux, pain encore tiède et croissants croustillants. "
    "J'y retourne chaque samedi matin avec plaisir."
)
# Distinct texts, so that the near-duplicate check never sends one to a moderator.
TEXTS = {
    5: [
        "Service impeccable du début à la fin, commande prête à l'heure et produits excellents.",
        "Vraiment parfait : vendeuse souriante, conseils utiles et gâteaux délicieux ce dimanche.",
        "Superbe expérience, livraison rapide et emballage soigné, je recommande sans hésiter.",
        "Les meilleures baguettes du quartier, croustillantes et dorées, toujours chaudes le soir.",
    ],
    4: [
        "Bonne adresse dans l'ensemble, un peu d'attente le samedi mais le pain vaut le détour.",
        "Produits de qualité et prix corrects, seul le choix de viennoiseries était limité hier.",
        "Très correct, personnel aimable ; la tarte aux pommes manquait un peu de cuisson.",
        "Commande en ligne simple, retrait rapide en boutique, brioche moelleuse et savoureuse.",
    ],
    3: [
        "Moyen cette fois : le pain était bon mais la file d'attente beaucoup trop longue.",
        "Correct sans plus, les croissants étaient un peu secs et le café tiède ce matin-là.",
        "Expérience mitigée, accueil froid mais produits honnêtes pour le prix demandé.",
    ],
    2: [
        "Déçu : commande incomplète à la livraison et service client difficile à joindre.",
        "Pain rassis vendu comme frais, et personne pour écouter ma remarque au comptoir.",
        "Attente interminable au téléphone puis une erreur sur la commande du gâteau.",
    ],
    1: [
        "Très mauvaise expérience, commande jamais livrée et aucun remboursement proposé.",
        "Produits périmés dans le sachet, et le magasin refuse tout échange depuis deux semaines.",
        "Accueil désagréable et baguette brûlée, je ne reviendrai pas dans cette boutique.",
    ],
}


def review_text(rating: int) -> str:
    n = next(_counter)
    texts = TEXTS[rating]
    return f"{texts[n % len(texts)]} Visite n°{n}."


def submit_and_decide(*, brand: Any, moderator: Any, author: Any = None, **fields: Any) -> Review:
    """Submit a review, run the pipeline after commit, and let a moderator publish it if the
    pipeline sent it to a human. Returns the review as stored."""
    rating = fields.pop("rating", 4)
    n = next(_counter)
    values = {
        "brand": brand,
        "channel": "in_store",
        "rating": rating,
        "title": f"Avis {n}",
        "text": review_text(rating),
        "language": "fr",
        "experience_date": timezone.localdate() - datetime.timedelta(days=2),
        "attested": True,
        "client_ip": f"10.{n // 250 % 250}.{n % 250}.7",  # one /24 network per review
        "user_agent": f"Agent/{n}",
        **fields,
    }
    author = author or UserFactory()
    if values.get("verification") == Review.Verification.INVITATION and "invitation" not in values:
        # Only an invitation verifies a review by invitation (FR-17): one, already sent.
        del values["verification"]
        values["invitation"] = sent_invitation_row(
            brand=brand, purchase_date=values["experience_date"]
        )
    by_document = values.get("verification") == Review.Verification.DOCUMENT
    if by_document:
        del values["verification"]  # only an accepted proof verifies by document (FR-17)
    with TestCase.captureOnCommitCallbacks(execute=True):
        review = submit_review(author=author, **values)
    review.refresh_from_db()
    if review.status == Review.Status.IN_REVIEW:
        submission = Submission.objects.get(kind="review", object_id=str(review.pk))
        with TestCase.captureOnCommitCallbacks(execute=True):
            decide_submission(
                submission_id=submission.pk, moderator=moderator, outcome=Decision.Outcome.PUBLISH
            )
        review.refresh_from_db()
    if by_document:
        verify_by_document(review, moderator=moderator)
    return review


def verify_by_document(review: Review, *, moderator: Any) -> None:
    """The way a published review becomes "verified by document": its brand flags a doubt, a
    moderator asks for a proof, the author sends one, a moderator accepts it."""
    member = UserFactory()
    Membership.objects.create(brand=review.brand, user=member, role=Membership.Role.OWNER)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flag_review(
            review_id=review.pk,
            user=member,
            flag_reason="not_a_customer",
            explanation="Aucune trace de cette commande chez nous.",
        )
        submission = Submission.objects.get(kind="review", object_id=str(review.pk))
        flag = WorkItem.objects.get(submission=submission, kind="flag", state="open")
        decide_work_item(item_id=flag.pk, moderator=moderator, action="request_proof")
        upload_review_proof(
            review_id=review.pk,
            author=review.author,
            document=SimpleUploadedFile("facture.pdf", b"%PDF-1.4 facture", "application/pdf"),
        )
        proof = WorkItem.objects.get(submission=submission, kind="proof", state="open")
        decide_work_item(item_id=proof.pk, moderator=moderator, action="accept_proof")
    review.refresh_from_db()
    assert review.verification == Review.Verification.DOCUMENT


def sent_invitation_row(*, brand: Any, purchase_date: datetime.date) -> Invitation:
    """An invitation of the brand as if emailed just now (no member, no email: a shortcut)."""
    n = next(_counter)
    now = timezone.now()
    return Invitation.objects.create(
        brand=brand,
        email=f"invite{n}@example.net",
        order_reference=f"TEST-{n}",
        purchase_date=purchase_date,
        token=f"test-invitation-token-{n}",
        status=Invitation.Status.SENT,
        send_after=now,
        sent_at=now,
        created_by=UserFactory(),
        created_at=now,
    )
