"""Brand replies: the services, the pipeline's rules for brands, the emails, and what a reply
never changes (NF-RES-5, FTC-7)."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase

from audit.models import AuditEvent
from audit.services import compute_event_hash
from config.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from moderation.models import Decision, Signal, StatementOfReasons, WorkItem
from moderation.rules import RULES
from moderation.services import decide_work_item, file_report
from reviews.models import RatingBucket, Reply, ReplyVersion, Review
from reviews.reply_services import reply_content_hash, reply_to_review, update_reply
from reviews.services import withdraw_review
from reviews.tasks import notify_reply_published_task
from tests.factories import UserFactory
from tests.reviews.replying import (
    CLEAN_REPLY,
    ROLES,
    UPDATED_REPLY,
    moderator_decides,
    reply,
    reply_events,
    submission_of,
    update,
)

# The services, role by role


@pytest.fixture
def review(answerable_review):
    return answerable_review


@pytest.fixture
def people(people_by_role):
    return people_by_role


@pytest.mark.parametrize(("role", "allowed"), ROLES)
def test_only_members_of_the_brand_reply(people, review, role, allowed):
    # when
    if allowed:
        version = reply(review, people[role])
        # then: published by the pipeline
        assert (version.status, version.author, version.number) == ("published", people[role], 1)
        return
    with pytest.raises(PermissionDeniedError) as error:
        reply(review, people[role])
    # then: nothing stored
    assert error.value.code == "not_brand_member"
    assert not Reply.objects.exists()
    assert not AuditEvent.objects.filter(action="reply_submitted").exists()


@pytest.mark.req("NF-RES-5")
def test_a_reply_is_free_published_and_recorded(brand_agent, review):
    # when
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        version = reply_to_review(review_id=review.pk, member=brand_agent, text=f"  {CLEAN_REPLY} ")
    # then: stored as written (trimmed), moderated as kind "reply", published
    version.refresh_from_db()
    assert (version.text, version.language, version.status) == (CLEAN_REPLY, "fr", "published")
    submission = submission_of(version)
    assert (submission.kind, submission.author, submission.brand, submission.rating) == (
        "reply",
        brand_agent,
        review.brand,
        None,
    )
    assert version.published_at - version.submitted_at <= datetime.timedelta(days=7)
    reply_row = Reply.objects.get(pk=review.pk)
    assert (reply_row.latest, reply_row.published, reply_row.published_versions) == (
        version,
        version,
        1,
    )
    assert reply_row.first_published_at == version.published_at
    # and the audit trail holds the version's text hash and its publication
    submitted = AuditEvent.objects.get(action="reply_submitted")
    assert (submitted.actor, submitted.object_type, submitted.object_id, submitted.to_status) == (
        brand_agent,
        "reviews.replyversion",
        str(version.pk),
        "submitted",
    )
    assert submitted.details["content_sha256"] == reply_content_hash(CLEAN_REPLY)
    assert submitted.details["review_id"] == review.pk
    assert submitted.hash == compute_event_hash(submitted)
    assert reply_events(version) == [
        ("reply_submitted", "", "submitted", ""),
        ("reply_status_changed", "submitted", "published", ""),
    ]
    assert len(callbacks) >= 1


def test_one_reply_per_review_then_updates(brand_owner, brand_agent, review):
    # given
    first = reply(review, brand_owner)
    # when: a second reply
    with pytest.raises(ConflictError) as error:
        reply_to_review(review_id=review.pk, member=brand_agent, text=UPDATED_REPLY)
    # then
    assert error.value.code == "already_replied"
    assert ReplyVersion.objects.count() == 1
    # when: an update, by another member
    second = update(review, brand_agent)
    # then: a new version, published, shown instead of the first; the first kept as it was
    assert (second.number, second.status, second.author) == (2, "published", brand_agent)
    first.refresh_from_db()
    assert (first.text, first.status) == (CLEAN_REPLY, "published")
    row = Reply.objects.get(pk=review.pk)
    assert (row.published, row.latest, row.published_versions, row.author) == (
        second,
        second,
        2,
        brand_owner,
    )
    assert row.updated_at == second.published_at
    assert row.first_published_at == first.published_at


def test_each_version_stays_in_the_audit_trail(brand_owner, review):
    # given
    versions = [reply(review, brand_owner), update(review, brand_owner)]
    versions.append(update(review, brand_owner, text="Merci, et bonne dégustation !"))
    # then: each version has its own submitted and published events, with its number and hash
    for number, version in enumerate(versions, start=1):
        assert reply_events(version) == [
            ("reply_submitted", "", "submitted", ""),
            ("reply_status_changed", "submitted", "published", ""),
        ]
        submitted, published = AuditEvent.objects.filter(object_id=str(version.pk)).filter(
            object_type="reviews.replyversion"
        )
        assert submitted.details["version"] == published.details["version"] == number
        assert submitted.details["content_sha256"] == reply_content_hash(version.text)
        assert published.details["replaces_version_id"] == (
            None if number == 1 else versions[number - 2].pk
        )


@pytest.mark.parametrize(
    ("text", "code", "error_class"),
    [
        ("", "too_short", ApplicationError),
        ("   ", "too_short", ApplicationError),
        ("x" * 3001, "too_long", ApplicationError),
        ("Merci\u200b pour votre avis", "control_characters", ApplicationError),
    ],
)
def test_bad_text_is_refused_and_nothing_changes(brand_owner, review, text, code, error_class):
    with pytest.raises(error_class) as error:
        reply_to_review(review_id=review.pk, member=brand_owner, text=text)
    assert (error.value.code, error.value.field) == (code, "text")
    assert not Reply.objects.exists()


def test_only_published_reviews_get_a_reply(brand_owner, review):
    # given: the author withdraws the review
    withdraw_review(review_id=review.pk, author=review.author)
    # when / then
    with pytest.raises(NotFoundError):
        reply_to_review(review_id=review.pk, member=brand_owner, text=CLEAN_REPLY)
    with pytest.raises(NotFoundError):
        reply_to_review(review_id=999_999, member=brand_owner, text=CLEAN_REPLY)
    assert not Reply.objects.exists()


def test_an_update_needs_a_reply_a_member_and_a_new_text(brand_owner, customer, review):
    with pytest.raises(NotFoundError) as error:
        update_reply(review_id=review.pk, member=brand_owner, text=CLEAN_REPLY)
    assert error.value.code == "no_reply"
    first = reply(review, brand_owner)
    with pytest.raises(PermissionDeniedError):
        update_reply(review_id=review.pk, member=customer, text=UPDATED_REPLY)
    with pytest.raises(ApplicationError) as error:
        update_reply(review_id=review.pk, member=brand_owner, text=f"{CLEAN_REPLY}\n")
    assert error.value.code == "unchanged"
    assert list(ReplyVersion.objects.all()) == [first]


def test_an_update_waits_for_the_version_being_checked(brand_owner, review, moderator):
    # given: a first version with a legal threat goes to a moderator
    pending = reply(review, brand_owner, text="Notre avocat va vous contacter très vite.")
    assert pending.status == "in_review"
    # when / then
    with pytest.raises(ConflictError) as error:
        update_reply(review_id=review.pk, member=brand_owner, text=UPDATED_REPLY)
    assert error.value.code == "reply_pending"
    assert ReplyVersion.objects.count() == 1


def test_an_unverified_member_cannot_reply(brand, review):
    from tests.factories import MembershipFactory

    member = MembershipFactory(brand=brand, user=UserFactory(email_verified_at=None)).user
    with pytest.raises(PermissionDeniedError) as error:
        reply_to_review(review_id=review.pk, member=member, text=CLEAN_REPLY)
    assert error.value.code == "email_not_verified"


def test_replies_are_rate_limited(brand_owner, review, moderator, settings):
    # given: two updates a day at most
    settings.REPLY_RATE_LIMIT_PER_REPLY = (2, datetime.timedelta(days=1))
    reply(review, brand_owner)
    update(review, brand_owner)
    # when / then
    with pytest.raises(RateLimitedError) as error:
        update_reply(review_id=review.pk, member=brand_owner, text="Encore merci à vous !")
    assert error.value.code == "rate_limited_reply"
    # and per member, over all reviews
    settings.REPLY_RATE_LIMIT_MEMBER = (2, datetime.timedelta(hours=1))
    from tests.reviews.publishing import submit_and_decide

    another = submit_and_decide(brand=review.brand, moderator=moderator)
    with pytest.raises(RateLimitedError) as error:
        reply_to_review(review_id=another.pk, member=brand_owner, text=CLEAN_REPLY)
    assert error.value.code == "rate_limited_member"
    assert ReplyVersion.objects.count() == 2


# The pipeline's rules for brands


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Merci pour votre avis, bande de connards.", "insult"),
        ("Appelez notre service au 06 12 34 56 78 pour en parler.", "personal_data"),
        ("Retrouvez nos offres sur https://www.dupain.fr/promo dès maintenant.", "advertising"),
    ],
)
def test_a_reply_breaking_a_content_rule_is_rejected_with_the_rule(brand_owner, review, text, rule):
    # given: a member who reads English
    brand_owner.language = "en"
    brand_owner.save()
    # when
    version = reply(review, brand_owner, text=text)
    # then: refused under the rule, with a statement of reasons, and never shown
    assert (version.status, version.rule_code) == ("rejected", rule)
    decision = Decision.objects.get(submission=submission_of(version))
    assert (decision.outcome, decision.rule_code, decision.decided_by) == ("reject", rule, None)
    assert StatementOfReasons.objects.filter(decision=decision).exists()
    assert Reply.objects.get(pk=review.pk).published is None
    assert reply_events(version)[-1] == ("reply_status_changed", "submitted", "rejected", rule)
    # and the member who wrote it is told the rule
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [brand_owner.email]
    assert mail.outbox[0].subject == "A reply of Boulangerie Dupain was not published"
    assert f"Rule of the code of conduct: {RULES[rule].title_en} ({rule})" in mail.outbox[0].body
    assert f"Reference of the decision: voix-decision-{decision.pk}." in mail.outbox[0].body


@pytest.mark.req("FTC-7", "NF-RES-5")
@pytest.mark.parametrize(
    "text",
    [
        "Nous vous demandons de retirer votre avis, qui est mensonger.",
        "Nous vous offrons un bon d'achat si vous modifiez votre note.",
        "Please remove your review or our lawyers will take legal action.",
    ],
)
def test_pressure_to_withdraw_is_sent_to_a_moderator_within_the_stated_delay(
    brand_owner, review, text, settings
):
    # when
    version = reply(review, brand_owner, text=text)
    # then: a human decides, by the delay stated for replies
    assert version.status == "in_review"
    submission = submission_of(version)
    decision = Decision.objects.get(submission=submission)
    assert (decision.outcome, decision.rule_code) == ("send_to_human", "pressure_to_withdraw")
    signal = Signal.objects.get(submission=submission, rule_code="pressure_to_withdraw")
    assert signal.evidence.startswith("Pressure on the reviewer in the text:")
    item = WorkItem.objects.get(submission=submission)
    assert item.due_at == submission.submitted_at + settings.REPLY_DECISION_MAX_DELAY
    assert datetime.timedelta(days=7) == settings.REPLY_DECISION_MAX_DELAY
    assert mail.outbox == []


def test_the_customers_identity_is_sent_to_a_moderator(brand_owner, review):
    version = reply(
        review, brand_owner, text="Bonjour Madame Martin, votre commande n°45821 est partie."
    )
    assert version.status == "in_review"
    decision = Decision.objects.get(submission=submission_of(version))
    assert decision.rule_code == "customer_identity"


def test_the_authenticity_rules_of_reviews_do_not_apply_to_replies(
    brand, brand_owner, review, moderator
):
    # given: the owner's address is on the brand's domain (a conflict of interest for a
    # review), and the same text answers two reviews
    brand_owner.email = "patron@dupain.fr"
    brand_owner.save()
    from tests.reviews.publishing import submit_and_decide

    another = submit_and_decide(brand=brand, moderator=moderator)
    # when
    versions = [reply(review, brand_owner), reply(another, brand_owner)]
    # then: both published, no authenticity signal kept
    assert [v.status for v in versions] == ["published", "published"]
    assert not Signal.objects.filter(submission__kind="reply").exists()


def test_a_moderator_publishes_or_rejects_a_reply_but_cannot_label_it(
    brand_owner, review, moderator
):
    # given
    version = reply(review, brand_owner, text="Vos propos sont diffamatoires, nous le savons.")
    item = WorkItem.objects.get(submission=submission_of(version))
    # when: a label
    with pytest.raises(ApplicationError) as error:
        decide_work_item(item_id=item.pk, moderator=moderator, action="label", rule_code="insult")
    # then: refused, nothing decided
    assert error.value.code == "invalid_action"
    version.refresh_from_db()
    assert version.status == "in_review"
    # when: rejected under the rule for brands
    moderator_decides(version, moderator, "reject", "pressure_to_withdraw")
    # then
    assert (version.status, version.rule_code, version.decided_by_moderator) == (
        "rejected",
        "pressure_to_withdraw",
        True,
    )
    assert reply_events(version)[-2:] == [
        ("reply_status_changed", "submitted", "in_review", "pressure_to_withdraw"),
        ("reply_status_changed", "in_review", "rejected", "pressure_to_withdraw"),
    ]


def test_a_reply_cannot_be_refused_under_a_rule_for_reviews(brand_owner, review, moderator):
    version = reply(review, brand_owner, text="Notre avocat vous écrira.")
    with pytest.raises(ApplicationError) as error:
        moderator_decides(version, moderator, "reject", "no_consumer_experience")
    assert error.value.code == "invalid_rule"


def test_a_reported_reply_removed_leaves_the_review_without_reply(
    brand_owner, review, customer, moderator
):
    # given: a published reply, reported under the code of conduct
    version = reply(review, brand_owner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = file_report(
            kind="reply",
            object_id=str(version.pk),
            source="code_of_conduct",
            reporter=customer,
            explanation="Cette réponse se moque de l'auteur de l'avis.",
            rule_code="insult",
        )
    item = WorkItem.objects.get(report=report)
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        decide_work_item(item_id=item.pk, moderator=moderator, action="remove", rule_code="insult")
    # then
    version.refresh_from_db()
    assert (version.status, version.rule_code) == ("removed", "insult")
    assert Reply.objects.get(pk=review.pk).published is None
    review.refresh_from_db()
    assert review.public_reply is None
    assert review.status == "published"


# Emails to the reviewer


def test_the_reviewer_is_notified_once_per_published_version(brand_owner, review):
    # given: a reviewer who reads English
    review.author.language = "en"
    review.author.save()
    # when
    version = reply(review, brand_owner)
    # then
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [review.author.email]
    assert message.subject == "Boulangerie Dupain replied to your review"
    assert CLEAN_REPLY.split(",")[0] in message.body
    assert f"/avis/{review.pk}/historique/" in message.body
    version.refresh_from_db()
    assert version.reviewer_notified_at is not None
    # when: the task is delivered again
    notify_reply_published_task.delay(version_id=version.pk)
    # then: nothing more
    assert len(mail.outbox) == 1
    # when: the reply is updated
    update(review, brand_owner)
    # then: one more email, about the update
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Boulangerie Dupain updated its reply to your review"
    assert UPDATED_REPLY.split(":")[0] in mail.outbox[1].body


def test_no_email_for_a_reply_left_to_a_moderator_or_a_withdrawn_review(brand_owner, review):
    # given: a version waiting for a moderator
    version = reply(review, brand_owner, text="Nous porterons plainte contre vous.")
    # when: the task runs anyway (a stray delivery)
    notify_reply_published_task.delay(version_id=version.pk)
    # then
    assert mail.outbox == []


# A reply never changes the review


def review_state(review: Review) -> dict:
    return {
        name: value
        for name, value in Review.objects.filter(pk=review.pk).values()[0].items()
        if name != "id"
    }


@pytest.mark.req("NF-MOD-5")
def test_replies_change_nothing_on_the_review(brand_owner, review, moderator):
    # given
    before = review_state(review)
    buckets = list(RatingBucket.objects.order_by("pk").values())
    review_events = AuditEvent.objects.filter(
        object_type="reviews.review", object_id=str(review.pk)
    ).count()
    # when: a reply, an update, and a refused update
    reply(review, brand_owner)
    update(review, brand_owner)
    update(review, brand_owner, text="Espèce d'abruti, vous n'y connaissez rien.")
    # then: the review's row, its rating counters and its own events are as they were
    assert review_state(review) == before
    assert list(RatingBucket.objects.order_by("pk").values()) == buckets
    assert (
        AuditEvent.objects.filter(object_type="reviews.review", object_id=str(review.pk)).count()
        == review_events
    )
