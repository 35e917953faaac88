"""Decision emails lost with the broker are sent later (send_missed_decision_emails_task)."""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
import time_machine
from celery.app.task import Task as CeleryTask
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from moderation.rules import RULES
from reviews.models import Review
from reviews.selectors import decisions_not_emailed
from reviews.services import withdraw_review
from reviews.tasks import (
    notify_reply_decision_task,
    notify_reply_published_task,
    notify_review_decision_task,
    send_missed_decision_emails_task,
)
from tests.factories import BrandFactory, UserFactory
from tests.reviews.replying import reply, update

_enqueue = CeleryTask.apply_async
# Five reviews by five customers: five different texts (the same one would be a copy campaign).
TEXTS = [
    "Accueil chaleureux, pain encore tiède et croissants croustillants, j'y retourne le samedi.",
    "Livraison rapide et soignée, le colis était bien emballé et complet, rien à redire.",
    "Le vendeur a pris le temps de m'expliquer les différences entre les deux modèles proposés.",
    "Réparation faite en deux jours comme annoncé, prix conforme au devis signé en magasin.",
    "Commande retirée sans attente au comptoir, produits frais et personnel très aimable ici.",
]


@contextmanager
def broker_down_for(*email_tasks):
    """Redis unreachable when these emails are enqueued (the moderation still runs: the tests'
    tasks are eager). The project's Task logs the error and goes on."""
    names = {task.name for task in email_tasks}

    def apply_async(task, *args, **kwargs):
        if task.name in names:
            raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return _enqueue(task, *args, **kwargs)

    with mock.patch.object(CeleryTask, "apply_async", apply_async):
        yield


def broker_down_for_decision_emails():
    return broker_down_for(notify_review_decision_task)


def test_a_decision_email_lost_with_the_broker_is_sent_once_ten_minutes_later(
    customer, review_input, submit, mailoutbox, caplog
):
    # given: a review published while the broker was down for its email
    with broker_down_for_decision_emails():
        review = submit(customer, **review_input)
    review.refresh_from_db()
    assert review.status == "published"
    assert mailoutbox == []
    assert "Broker unreachable" in caplog.text
    decided_at = review.decided_at
    # when: the periodic task runs before the email is due
    with time_machine.travel(decided_at + datetime.timedelta(minutes=9), tick=False):
        send_missed_decision_emails_task()
    # then: nothing yet (its own task may still be on its way)
    assert mailoutbox == []
    # when: beat runs it after DECISION_EMAIL_CATCH_UP_AFTER, then again
    entry = settings.CELERY_BEAT_SCHEDULE["send-missed-decision-emails"]
    assert entry["task"] == send_missed_decision_emails_task.name
    with time_machine.travel(decided_at + datetime.timedelta(minutes=11), tick=False):
        send_missed_decision_emails_task.delay()
        send_missed_decision_emails_task.delay()
    # then: the author got exactly one email, about this decision
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert "publié" in mailoutbox[0].subject
    review.refresh_from_db()
    assert review.notified_decision_id == review.decision_id


def test_only_decisions_told_to_their_authors_and_not_yet_told_are_caught_up(
    review_input, submit, mailoutbox
):
    # given: reviews published while the broker was down for their emails, in several situations
    texts = iter(TEXTS)

    def published():  # each by its own customer, of its own brand, from its own network
        n = Review.objects.count() + 1
        fields = {"brand": BrandFactory(), "place": None, "client_ip": f"198.51.{n}.7"}
        review = submit(UserFactory(), **{**review_input, **fields, "text": next(texts)})
        review.refresh_from_db()
        assert review.status == "published"
        return review

    with broker_down_for_decision_emails():
        missed, withdrawn, imported, in_review = (published() for _ in range(4))
    published()  # its email went out as usual: nothing to catch up
    withdraw_review(review_id=withdrawn.pk, author=withdrawn.author)
    # (an account from a migration: never emailed, `import_reviews`)
    type(imported.author).objects.filter(pk=imported.author_id).update(is_imported=True)
    # (as a review back with a moderator: its latest decision is a referral, never emailed)
    Review.objects.filter(pk=in_review.pk).update(status=Review.Status.IN_REVIEW)
    now = timezone.now() + datetime.timedelta(minutes=11)
    # when
    due = decisions_not_emailed(now=now)
    # then: only the published review whose author was never told
    assert due == [(missed.pk, missed.decision_id)]
    # and nothing older than DECISION_EMAIL_CATCH_UP_WINDOW is sent days later
    assert decisions_not_emailed(now=now + datetime.timedelta(days=2)) == []


def test_reply_emails_lost_with_the_broker_are_sent_once_later(
    answerable_review, brand_owner, mailoutbox
):
    # given: a reply published, then an update refused, while the broker was down for
    # their emails
    with broker_down_for(notify_reply_published_task, notify_reply_decision_task):
        published = reply(answerable_review, brand_owner)
        refused = update(
            answerable_review, brand_owner, text="Merci pour votre avis, bande de connards."
        )
    assert (published.status, refused.status) == ("published", "rejected")
    assert mailoutbox == []
    # when: the periodic task runs before and after DECISION_EMAIL_CATCH_UP_AFTER
    with time_machine.travel(refused.decided_at + datetime.timedelta(minutes=9), tick=False):
        send_missed_decision_emails_task.delay()
    assert mailoutbox == []
    with time_machine.travel(refused.decided_at + datetime.timedelta(minutes=11), tick=False):
        send_missed_decision_emails_task.delay()
        send_missed_decision_emails_task.delay()
    # then: the review's author learns of the reply, the member of the refusal, once each
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (answerable_review.author.email, "Boulangerie Dupain a répondu à votre avis"),
            (brand_owner.email, "Une réponse de Boulangerie Dupain n'a pas été publiée"),
        ]
    )


@pytest.mark.req("FR-4", "NF-MOD-7")
def test_a_lost_refusal_email_still_reaches_the_author_with_its_rule(
    customer, review_input, submit, mailoutbox
):
    # given: a review refused under a rule while the broker was down for its email
    insult = "Service minable, bande de connards, je ne reviendrai jamais dans cette boutique."
    with broker_down_for_decision_emails():
        review = submit(customer, **{**review_input, "text": insult})
    review.refresh_from_db()
    assert (review.status, review.rule_code) == ("rejected", "insult")
    assert mailoutbox == []
    # when
    with time_machine.travel(review.decided_at + datetime.timedelta(minutes=11), tick=False):
        send_missed_decision_emails_task.delay()
    # then: one email, with the refusal and the rule it cites
    [email] = mailoutbox
    assert email.to == [customer.email]
    assert email.subject == "Votre avis sur Boulangerie Dupain n'a pas été publié"
    assert RULES["insult"].title_fr in email.body
