"""Appeals (DSA art. 20): open six months, one per decision, decided by a person who did not
take the first decision; a reversal restores the review and its rating and tells everyone
concerned; the outcome is reasoned, with the redress left (DSA art. 21)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from audit.models import AuditEvent
from config.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from moderation.models import Appeal, Decision, Report, StatementOfReasons, WorkItem
from moderation.selectors import list_queue
from moderation.statements import ODS_BODIES_URL
from moderation.tasks import notify_appeal_outcome_task
from reviews.models import RatingBucket, Review
from reviews.ratings import compare_buckets
from tests.factories import UserFactory
from tests.moderation.restrictions import (
    another_moderator,
    appeal,
    decide,
    decided_by_moderator,
    decision_of,
    dismissed_notice,
    english_date,
    item_of,
    notify,
    published,
    rejected_by_pipeline,
    removed_after_notice,
    statement_of,
    submission_of,
)

A = AuditEvent.Action
REASONS = "Le texte relate un conflit commercial sans accuser personne d'un délit précis."


def events_since(event_id: int) -> list[tuple[str, str, str, str]]:
    return list(
        AuditEvent.objects.filter(id__gt=event_id)
        .order_by("id")
        .values_list("action", "object_type", "from_status", "to_status")
    )


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def published_count(brand) -> int:
    return sum(RatingBucket.objects.filter(brand=brand).values_list("published", flat=True))


@pytest.fixture
def author(db):
    return UserFactory(language="en", pseudonym="Robin")


@pytest.fixture
def rejected(author, brand, moderator):
    """A review a moderator refused under "no_consumer_experience"."""
    review = decided_by_moderator(
        author=author,
        brand=brand,
        moderator=moderator,
        action="reject",
        rule_code="no_consumer_experience",
    )
    assert review.status == Review.Status.REJECTED
    return review


@pytest.mark.req("DSA-17")
def test_the_author_may_appeal_until_six_months_after_being_told(rejected, author, moderator):
    # given
    statement = statement_of(rejected)
    deadline = statement.informed_at + settings.APPEAL_WINDOW
    marker = last_event_id()
    # when: a minute before the six months are over
    with time_machine.travel(deadline - datetime.timedelta(minutes=1), tick=False):
        filed = appeal(author, decision_id=statement.decision_id)
    # then
    assert (filed.appellant, filed.decision, filed.report, filed.status) == (
        author,
        statement.decision,
        None,
        Appeal.Status.OPEN,
    )
    assert filed.first_decided_by == moderator
    assert events_since(marker) == [
        (A.APPEAL_FILED, "moderation.appeal", "", "open"),
        (A.WORK_ITEM_OPENED, "moderation.workitem", "", "open"),
    ]
    event = AuditEvent.objects.get(action=A.APPEAL_FILED)
    assert (event.actor, event.details) == (
        author,
        {
            "submission_id": statement.submission_id,
            "decision_id": statement.decision_id,
            "report_id": None,
            "by": "author",
        },
    )
    item = item_of(appeal=filed)
    assert (item.kind, item.excluded_moderator, item.rule_code, item.due_at) == (
        WorkItem.Kind.APPEAL,
        moderator,
        "no_consumer_experience",
        filed.created_at + settings.APPEAL_DECISION_MAX_DELAY,
    )


@pytest.mark.req("DSA-17")
def test_after_six_months_the_appeal_is_closed_and_nothing_changes(rejected, author):
    # given
    statement = statement_of(rejected)
    marker = last_event_id()
    # when
    with (
        time_machine.travel(
            statement.informed_at + settings.APPEAL_WINDOW + datetime.timedelta(minutes=1),
            tick=False,
        ),
        pytest.raises(ApplicationError) as error,
        translation.override("en"),
    ):
        appeal(author, decision_id=statement.decision_id)
    # then
    assert (error.value.status_code, error.value.code, str(error.value.message)) == (
        400,
        "appeal_window_closed",
        "The six months to contest this decision are over.",
    )
    assert Appeal.objects.count() == 0
    assert events_since(marker) == []


@pytest.mark.req("DSA-17")
def test_one_appeal_per_decision(rejected, author):
    decision_id = statement_of(rejected).decision_id
    appeal(author, decision_id=decision_id)
    with pytest.raises(ConflictError) as error:
        appeal(author, decision_id=decision_id)
    assert error.value.code == "already_appealed"
    assert Appeal.objects.count() == 1


def test_only_its_author_may_contest_a_restriction_and_only_a_restriction(
    rejected, author, brand, customer
):
    # someone else's decision does not exist for them
    with pytest.raises(NotFoundError):
        appeal(customer, decision_id=statement_of(rejected).decision_id)
    # a publication restricts nothing
    review = published(author=author, brand=brand)
    with pytest.raises(ApplicationError) as error:
        appeal(author, decision_id=decision_of(review).pk)
    assert error.value.code == "not_restricting"
    # one thing at a time
    with pytest.raises(ApplicationError) as error:
        appeal(author)
    assert error.value.code == "invalid_appeal"
    assert Appeal.objects.count() == 0


@pytest.mark.req("DSA-20")
def test_the_moderator_who_decided_first_can_never_decide_the_appeal(rejected, author, moderator):
    # given
    filed = appeal(author, decision_id=statement_of(rejected).decision_id)
    item = item_of(appeal=filed)
    # when / then: neither offered nor allowed
    assert item not in list_queue(moderator=moderator)
    with pytest.raises(PermissionDeniedError) as error:
        decide(item, moderator, "uphold", reasons=REASONS)
    assert error.value.code == "own_decision"
    # another moderator decides
    other = another_moderator()
    assert item in list_queue(moderator=other)
    decide(item, other, "uphold", reasons=REASONS)
    filed.refresh_from_db()
    assert (filed.status, filed.decided_by, filed.reasons) == ("upheld", other, REASONS)


@pytest.mark.req("DSA-20")
def test_an_appeal_against_the_automated_checks_goes_to_any_moderator(author, brand, moderator):
    review = rejected_by_pipeline(author=author, brand=brand)
    filed = appeal(author, decision_id=statement_of(review).decision_id)
    assert filed.first_decided_by is None
    assert item_of(appeal=filed) in list_queue(moderator=moderator)


@pytest.mark.req("DSA-20")
def test_an_appeal_is_never_closed_without_a_person_and_their_reasons(rejected, author):
    # given
    filed = appeal(author, decision_id=statement_of(rejected).decision_id)
    # when / then: the database refuses a decided appeal without a decider
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.filter(pk=filed.pk).update(status=Appeal.Status.UPHELD)
    # and a moderator must give the appellant reasons
    with pytest.raises(ApplicationError) as error:
        decide(item_of(appeal=filed), another_moderator(), "reverse", reasons="  ")
    assert error.value.code == "reasons_required"
    filed.refresh_from_db()
    assert (filed.status, filed.decided_by) == ("open", None)


@pytest.mark.req("DSA-18", "DSA-19")
def test_a_reversal_restores_the_review_and_its_rating_and_tells_everyone(
    author, brand, moderator, mailoutbox
):
    # given: a review removed after a notice, out of the brand's rating
    reporter = UserFactory(language="en", pseudonym="Sam")
    review, report = removed_after_notice(
        author=author, brand=brand, reporter=reporter, moderator=moderator
    )
    assert published_count(brand) == 0
    filed = appeal(author, decision_id=statement_of(review).decision_id)
    mailoutbox.clear()
    other = another_moderator()
    marker = last_event_id()
    # when: another moderator reverses the removal
    decide(item_of(appeal=filed), other, "reverse", reasons=REASONS)
    # then: the review is public again, the rating counts it, a recount agrees
    review.refresh_from_db()
    filed.refresh_from_db()
    assert (review.status, review.rule_code, review.decided_by_moderator) == (
        "published",
        "",
        True,
    )
    assert (filed.status, filed.decided_by, filed.reasons) == ("reversed", other, REASONS)
    assert published_count(brand) == 1
    assert compare_buckets()[0] == []
    call_command("recompute_ratings", "--check")
    publish = decision_of(review)
    assert (publish.outcome, publish.decided_by, publish.source) == ("publish", other, "appeal")
    assert not StatementOfReasons.objects.filter(decision=publish).exists()
    assert [e[:2] for e in events_since(marker)] == [
        (A.MODERATION_DECIDED, "moderation.submission"),
        (A.REVIEW_STATUS_CHANGED, "reviews.review"),
        (A.APPEAL_DECIDED, "moderation.appeal"),
        (A.WORK_ITEM_CLOSED, "moderation.workitem"),
    ]
    decided = AuditEvent.objects.get(action=A.APPEAL_DECIDED)
    assert (decided.actor, decided.from_status, decided.to_status) == (other, "open", "reversed")
    # and everyone concerned is told: the author twice, the reporter once
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (author.email, "Your review of Boulangerie Dupain is published"),
            (author.email, "Your appeal: the decision is reversed"),
            (reporter.email, f"Your report no. {report.pk}: the restriction was lifted on appeal"),
        ]
    )
    published_email, outcome, lifted = (
        next(m for m in mailoutbox if m.subject == subject)
        for subject in (
            "Your review of Boulangerie Dupain is published",
            "Your appeal: the decision is reversed",
            f"Your report no. {report.pk}: the restriction was lifted on appeal",
        )
    )
    assert (
        f"Following your appeal, your review of Boulangerie Dupain, “{review.title}”, is "
        "published again." in published_email.body
    )
    assert "Outcome: the decision is reversed. The restriction is lifted: the content is " in (
        outcome.body
    )
    assert f"Reasons:\n{REASONS}\n" in outcome.body
    assert (
        "Your appeal was decided by a moderator who did not take the first decision, not by "
        "automated means." in outcome.body
    )
    assert ODS_BODIES_URL in outcome.body
    assert "- Courts: you may bring the matter before the competent court" in outcome.body
    assert "Hello Sam," in lifted.body
    assert "lifted the restriction: the content is published again." in lifted.body
    assert REASONS not in lifted.body  # the reasons are the appellant's
    assert author.pseudonym not in lifted.body
    assert ODS_BODIES_URL in lifted.body
    filed.refresh_from_db()
    report.refresh_from_db()
    assert filed.outcome_notified_at is not None
    assert report.outcome_notified_at >= filed.decided_at


def test_the_appeal_outcome_is_sent_once(author, brand, moderator, mailoutbox):
    # given: the outcome was sent to the author and to the reporter
    reporter = UserFactory()
    review, report = removed_after_notice(
        author=author, brand=brand, reporter=reporter, moderator=moderator
    )
    filed = appeal(author, decision_id=statement_of(review).decision_id)
    decide(item_of(appeal=filed), another_moderator(), "reverse", reasons=REASONS)
    sent = len(mailoutbox)
    # when: the tasks are delivered again
    notify_appeal_outcome_task(appeal_id=filed.pk)
    notify_appeal_outcome_task(appeal_id=filed.pk, report_id=report.pk)
    # then
    assert len(mailoutbox) == sent


def test_an_open_appeal_is_not_announced(rejected, author, mailoutbox):
    filed = appeal(author, decision_id=statement_of(rejected).decision_id)
    mailoutbox.clear()
    notify_appeal_outcome_task(appeal_id=filed.pk)
    notify_appeal_outcome_task(appeal_id=filed.pk + 1000)
    assert mailoutbox == []


@pytest.mark.req("DSA-19")
def test_a_confirmed_decision_is_explained_to_the_author(rejected, author, mailoutbox):
    # given
    filed = appeal(author, decision_id=statement_of(rejected).decision_id)
    mailoutbox.clear()
    # when
    decide(item_of(appeal=filed), another_moderator(), "uphold", reasons=REASONS)
    # then: the review stays refused; one email, reasoned
    rejected.refresh_from_db()
    assert rejected.status == Review.Status.REJECTED
    [email] = mailoutbox
    assert (email.to, email.subject) == ([author.email], "Your appeal: the decision is confirmed")
    assert (
        f"We examined your appeal of {english_date(filed.created_at)} against the decision on "
        f"“{rejected.title}” (Boulangerie Dupain)." in email.body
    )
    assert (
        "Outcome: the decision is confirmed. The restriction stands, under the rule “No "
        "consumer experience” of the code of conduct." in email.body
    )
    assert f"Reasons:\n{REASONS}\n" in email.body
    assert ODS_BODIES_URL in email.body


@pytest.mark.req("DSA-17", "DSA-18", "DSA-19")
def test_a_reporter_whose_notice_was_dismissed_may_appeal_and_the_review_is_removed(
    author, brand, moderator, mailoutbox
):
    # given: a notice of illegal content dismissed by a moderator
    reporter = UserFactory(language="en", pseudonym="Sam")
    report = dismissed_notice(author=author, brand=brand, reporter=reporter, moderator=moderator)
    review = Review.objects.get(pk=int(report.submission.object_id))
    # when: the reporter appeals, another moderator reverses the dismissal
    filed = appeal(reporter, report_id=report.pk)
    assert (filed.first_decided_by, filed.decision) == (moderator, None)
    assert item_of(appeal=filed).excluded_moderator == moderator
    mailoutbox.clear()
    other = another_moderator()
    decide(item_of(appeal=filed), other, "reverse", rule_code="defamation", reasons=REASONS)
    # then: the review is removed, with a statement that names the notice and the appeal
    review.refresh_from_db()
    assert (review.status, review.rule_code) == (Review.Status.REMOVED, "defamation")
    removal = decision_of(review)
    assert (removal.outcome, removal.decided_by, removal.source) == ("remove", other, "appeal")
    statement = StatementOfReasons.objects.get(decision=removal)
    assert (statement.source_type, statement.decision_ground) == (
        "SOURCE_ARTICLE_16",
        "DECISION_GROUND_ILLEGAL_CONTENT",
    )
    assert statement.decision_facts.endswith(
        "The decision followed a notice of illegal content and an appeal against its dismissal."
    )
    assert published_count(brand) == 0
    assert compare_buckets()[0] == []
    # the author receives the statement, the reporter the outcome of their appeal
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (author.email, "Your review of Boulangerie Dupain was removed"),
            (reporter.email, "Your appeal: the decision is reversed"),
        ]
    )
    outcome = next(m for m in mailoutbox if m.to == [reporter.email])
    assert (
        f"against the dismissal of your report no. {report.pk} about “{review.title}” "
        "(Boulangerie Dupain)." in outcome.body
    )
    assert (
        "Outcome: the decision is reversed. Your report is upheld: the content was removed "
        "under the rule “Defamation” of the code of conduct." in outcome.body
    )


def test_a_reporter_may_contest_only_a_dismissal_of_their_own_report(
    author, brand, moderator, customer
):
    reporter = UserFactory()
    _, upheld = removed_after_notice(
        author=author, brand=brand, reporter=reporter, moderator=moderator
    )
    with pytest.raises(ApplicationError) as error:
        appeal(reporter, report_id=upheld.pk)
    assert error.value.code == "not_dismissed"
    dismissed = dismissed_notice(
        author=UserFactory(), brand=brand, reporter=reporter, moderator=moderator
    )
    with pytest.raises(NotFoundError):
        appeal(customer, report_id=dismissed.pk)
    assert Appeal.objects.count() == 0
    assert Report.objects.filter(status="dismissed").count() == 1


@pytest.mark.req("DSA-17")
def test_a_reporter_has_six_months_from_the_dismissal(author, brand, moderator):
    reporter = UserFactory()
    report = dismissed_notice(author=author, brand=brand, reporter=reporter, moderator=moderator)
    closes = report.decided_at + settings.APPEAL_WINDOW
    with (
        time_machine.travel(closes + datetime.timedelta(seconds=1), tick=False),
        pytest.raises(ApplicationError, match="six months"),
        translation.override("en"),
    ):
        appeal(reporter, report_id=report.pk)
    with time_machine.travel(closes, tick=False):
        assert appeal(reporter, report_id=report.pk).report == report


def test_a_decision_replaced_since_cannot_be_contested(author, brand, moderator):
    # given: a label, then a removal of the same review after a notice
    review = decided_by_moderator(
        author=author,
        brand=brand,
        moderator=moderator,
        action="label",
        rule_code="undisclosed_incentive",
    )
    label = decision_of(review)
    report = notify(review, reporter=UserFactory())
    decide(item_of(report=report), another_moderator(), "remove", rule_code="defamation")
    # when / then
    with pytest.raises(ConflictError) as error:
        appeal(author, decision_id=label.pk)
    assert error.value.code == "superseded"
    outcomes = Decision.objects.filter(submission=submission_of(review)).values_list(
        "outcome", flat=True
    )
    assert list(outcomes) == ["send_to_human", "label", "remove"]


@pytest.mark.req("DSA-18")
def test_a_reversed_label_is_lifted_and_the_author_told_so(author, brand, moderator, mailoutbox):
    # given: a review published with a label, contested
    review = decided_by_moderator(
        author=author,
        brand=brand,
        moderator=moderator,
        action="label",
        rule_code="undisclosed_incentive",
    )
    assert review.labelled_incentivised
    filed = appeal(author, decision_id=statement_of(review).decision_id)
    mailoutbox.clear()
    # when
    decide(item_of(appeal=filed), another_moderator(), "reverse", reasons=REASONS)
    # then: still published, without the label, and counted once
    review.refresh_from_db()
    assert (review.status, review.labelled_incentivised) == ("published", False)
    assert published_count(brand) == 1
    assert compare_buckets()[0] == []
    published_email = next(m for m in mailoutbox if "is published" in m.subject)
    assert (
        f"Following your appeal, your review of Boulangerie Dupain, “{review.title}”, is "
        "published without the label “incentivised review”." in published_email.body
    )
