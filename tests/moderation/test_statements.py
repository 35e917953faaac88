"""Statements of reasons (DSA art. 17): one for each restriction (refusal, removal, label),
none for a publication, with the Transparency Database's fields; emailed to the author with
the rule in their language and every way to contest it."""

import pytest
from django.conf import settings

from audit.models import AuditEvent
from config.emails import html_to_text
from moderation.models import Decision, ProofRequest, StatementOfReasons
from moderation.rules import RULES, RULESET_VERSION
from moderation.services import EEA_COUNTRIES
from moderation.statements import ODS_BODIES_URL
from reviews.models import Review
from tests.factories import UserFactory
from tests.moderation.restrictions import (
    decide,
    decided_by_moderator,
    decision_of,
    english_date,
    published,
    rejected_by_pipeline,
    removed_after_notice,
    statement_of,
    submission_of,
)
from tests.moderation.workspace import review_for_moderator

FIELDS = (
    "puid",
    "decision_visibility",
    "territorial_scope",
    "end_date_visibility_restriction",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "decision_ground",
    "decision_ground_reference_url",
    "legal_ground",
    "ground",
    "ground_explanation",
    "category",
    "category_specification",
    "content_type",
    "content_language",
    "content_date",
    "application_date",
    "created_at",
    "informed_at",
)


def fields_of(statement: StatementOfReasons) -> dict:
    return {name: getattr(statement, name) for name in FIELDS}


@pytest.mark.req("DSA-9", "DSA-10", "DSA-11", "DSA-12", "DSA-14", "DSA-30")
def test_a_refusal_by_the_checks_has_a_statement_with_the_databases_fields(brand, customer):
    # when: the automated checks refuse an insulting review
    review = rejected_by_pipeline(author=customer, brand=brand)
    # then
    decision = decision_of(review)
    statement = StatementOfReasons.objects.get()
    assert (statement.decision, statement.submission) == (decision, submission_of(review))
    assert fields_of(statement) == {
        "puid": f"voix-decision-{decision.pk}",
        "decision_visibility": "DECISION_VISIBILITY_CONTENT_DISABLED",
        "territorial_scope": list(EEA_COUNTRIES),
        "end_date_visibility_restriction": None,  # indefinite
        "decision_facts": (
            "The review was rejected by the automated checks under rule 'insult' (Insults and "
            f"profanity) of the code of conduct, version {RULESET_VERSION}. Automated checks "
            "that found it: insult."
        ),
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": True,
        "automated_decision": "AUTOMATED_DECISION_FULLY",
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_ground_reference_url": f"{settings.SITE_URL}/charte/#rule-insult",
        "legal_ground": "",
        "ground": f"Code of conduct {RULESET_VERSION}, rule insult: Insults and profanity",
        "ground_explanation": RULES["insult"].explanation_en,
        "category": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "category_specification": ["KEYWORD_CYBER_HARASSMENT"],
        "content_type": ["CONTENT_TYPE_TEXT"],
        "content_language": "FR",
        "content_date": review.submitted_at.date(),
        "application_date": decision.decided_at.date(),
        "created_at": decision.decided_at,
        "informed_at": decision.decided_at,  # the appeal window runs from here
    }
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.STATEMENT_ISSUED)
    assert (event.actor, event.object_type, event.object_id, event.rule_code) == (
        None,
        "moderation.statementofreasons",
        str(statement.pk),
        "insult",
    )
    assert event.details == {
        "decision_id": decision.pk,
        "submission_id": statement.submission_id,
        "puid": statement.puid,
    }


@pytest.mark.req("DSA-9", "DSA-11", "DSA-13")
def test_a_removal_after_a_notice_states_the_notice_and_the_legal_ground(
    brand, customer, moderator
):
    # when: a moderator removes a published review after a notice of illegal content
    review, report = removed_after_notice(
        author=UserFactory(), brand=brand, reporter=customer, moderator=moderator
    )
    # then: the notice is the source, its notifier is named nowhere
    statement = statement_of(review)
    fields = fields_of(statement)
    assert {name: fields[name] for name in FIELDS[1:13]} == {
        "decision_visibility": "DECISION_VISIBILITY_CONTENT_REMOVED",
        "territorial_scope": list(EEA_COUNTRIES),
        "end_date_visibility_restriction": None,
        "decision_facts": (
            "The review was removed after publication by a moderator under rule 'defamation' "
            f"(Defamation) of the code of conduct, version {RULESET_VERSION}. The decision "
            "followed a notice of illegal content."
        ),
        "source_type": "SOURCE_ARTICLE_16",
        "automated_detection": False,
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "decision_ground_reference_url": f"{settings.SITE_URL}/charte/#rule-defamation",
        "legal_ground": RULES["defamation"].legal_ground,
        "ground": f"Code of conduct {RULESET_VERSION}, rule defamation: Defamation",
        "ground_explanation": RULES["defamation"].explanation_en,
    }
    assert customer.email not in str(fields)
    assert customer.pseudonym not in str(fields)


@pytest.mark.req("DSA-9", "DSA-12")
@pytest.mark.parametrize(
    ("action", "rule_code", "status", "visibility", "detected"),
    [
        # the insult check found it, a moderator decided
        ("reject", "insult", "rejected", "DECISION_VISIBILITY_CONTENT_DISABLED", True),
        # no check points to an undisclosed incentive: a person found and decided it
        (
            "label",
            "undisclosed_incentive",
            "published",
            "DECISION_VISIBILITY_CONTENT_LABELLED",
            False,
        ),
    ],
)
def test_a_moderators_restriction_says_a_person_decided_and_what_detected_it(
    brand, customer, moderator, action, rule_code, status, visibility, detected
):
    # when
    review = decided_by_moderator(
        author=customer, brand=brand, moderator=moderator, action=action, rule_code=rule_code
    )
    # then
    statement = statement_of(review)
    assert review.status == status
    assert (
        statement.decision_visibility,
        statement.automated_detection,
        statement.automated_decision,
        statement.source_type,
    ) == (visibility, detected, "AUTOMATED_DECISION_NOT_AUTOMATED", "SOURCE_VOLUNTARY")
    assert statement.decision.decided_by == moderator


@pytest.mark.req("DSA-9")
def test_a_publication_has_no_statement(brand, customer, moderator, mailoutbox):
    # when: the checks publish one review, a moderator another
    published(author=customer, brand=brand)
    review, item = review_for_moderator(brand=brand)
    decide(item, moderator, "publish")
    # then
    assert StatementOfReasons.objects.count() == 0
    assert Decision.objects.filter(outcome="publish").count() == 2
    assert len(mailoutbox) == 2
    assert not [m for m in mailoutbox if "Statement of reasons" in m.body]


@pytest.mark.req("DSA-9", "DSA-10", "DSA-12", "DSA-14", "DSA-15", "DSA-16", "DSA-17")
def test_the_author_is_emailed_the_statement_with_every_way_to_contest(brand, mailoutbox):
    # given: an author who reads English
    author = UserFactory(language="en", pseudonym="Robin")
    # when
    review = rejected_by_pipeline(author=author, brand=brand)
    # then: one email, the statement in its text and in its HTML
    [email] = mailoutbox
    statement = statement_of(review)
    deadline = english_date(statement.informed_at + settings.APPEAL_WINDOW, "DATE_FORMAT")
    assert email.to == [author.email]
    assert email.subject == "Your review of Boulangerie Dupain was not published"
    site = settings.SITE_URL
    expected_lines = [
        "Hello Robin,",
        f"Your review of Boulangerie Dupain, “{review.title}”, was not published.",
        "Statement of reasons",
        "Restriction: Refused before publication: your review is not published.",
        "Where: On all of Voix, hence in every country of the European Economic Area.",
        "For how long: With no end date: the restriction lasts until it is lifted, for "
        "example after an appeal.",
        f"Rule applied: Insults and profanity (insult), code of conduct version {RULESET_VERSION}",
        "What led to the decision: Our own initiative: the checks every piece of content goes "
        "through.",
        "Automated checks that found it: Insults and profanity.",
        "Detected by automated means: Yes.",
        "Decided by automated means: Yes. This decision was taken by our automated checks, "
        "which apply the published code of conduct the same way to every review.",
        f"Our code of conduct, rule “Insults and profanity”: {RULES['insult'].explanation_en}",
        f"Read this rule in the code of conduct <{site}/charte/#rule-insult>",
        "How to contest this decision",
        f"- Appeal to Voix: You can contest it free of charge until {deadline} (six months) "
        "with this form; a moderator who did not take this decision will examine it: Contest "
        f"this decision <{site}/avis/{review.pk}/contester/>",
        "- Out-of-court dispute settlement: you may refer the decision to a dispute settlement "
        "body certified under article 21 of the Digital Services Act; it is free of charge or "
        "costs a nominal fee, and its decision does not bind you. The certified bodies, listed "
        f"by the European Commission <{ODS_BODIES_URL}>",
        "- Courts: you may bring the matter before the competent court at any time, whether or "
        "not you contest the decision with us.",
        "This statement of reasons stays available in your account: "
        f"{site}/avis/{review.pk}/decision/",
    ]
    lines = email.body.splitlines()
    assert [line for line in expected_lines if line not in lines] == []
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert html_to_text(html) == email.body
    assert f'href="{site}/avis/{review.pk}/contester/"' in html
    assert author.email not in email.body


@pytest.mark.req("DSA-16")
def test_the_author_reads_the_rule_in_their_language(brand, customer, mailoutbox):
    # given: a French-speaking author (the default)
    assert customer.language == "fr"
    # when
    rejected_by_pipeline(author=customer, brand=brand)
    # then: the rule's title and explanation as the code of conduct publishes them in French
    [email] = mailoutbox
    rule = RULES["insult"]
    assert f"{rule.title_fr} (insult)" in email.body
    assert rule.explanation_fr in email.body
    assert rule.explanation_en not in email.body


@pytest.mark.req("DSA-9", "DSA-15")
def test_the_removal_email_carries_the_legal_ground(brand, customer, moderator, mailoutbox):
    # given
    author = UserFactory(language="en")
    # when
    review, _ = removed_after_notice(
        author=author, brand=brand, reporter=customer, moderator=moderator
    )
    # then
    [email] = [m for m in mailoutbox if m.to == [author.email] and "removed" in m.subject]
    assert email.subject == "Your review of Boulangerie Dupain was removed"
    lines = email.body.splitlines()
    assert "Restriction: Removed after publication: your review is no longer shown." in lines
    assert f"The content is illegal. Legal ground: {RULES['defamation'].legal_ground}." in lines
    assert (
        "What led to the decision: A notice of illegal content (Digital Services Act, article "
        "16)." in lines
    )
    assert "Decided by automated means: No. This decision was taken by a moderator." in lines
    assert customer.pseudonym not in email.body  # the notifier is never named


def test_a_request_for_proof_emails_the_upload_link_and_the_deadline(brand, moderator, mailoutbox):
    # given
    author = UserFactory(language="en")
    review, item = review_for_moderator(brand=brand, author=author)
    mailoutbox.clear()
    # when
    decide(item, moderator, "request_proof")
    # then
    proof = ProofRequest.objects.get()
    [email] = mailoutbox
    assert (
        email.subject == "Your review of Boulangerie Dupain: please send a proof of your experience"
    )
    deadline = english_date(proof.deadline, "DATETIME_FORMAT")
    assert (
        f"Send it before {deadline}, as a PDF, JPEG or PNG file of 5 MB at most: Send my proof "
        f"<{settings.SITE_URL}/avis/{review.pk}/preuve/>" in email.body.splitlines()
    )
    assert "under the rule “No consumer experience” of the code of conduct." in email.body
    assert "Statement of reasons" not in email.body
    request = Decision.objects.get(outcome=Decision.Outcome.REQUEST_PROOF)
    assert Review.objects.get(pk=review.pk).notified_decision_id == request.pk


def test_html_to_text_keeps_the_structure_of_a_message():
    html = """<!DOCTYPE html><html><head><title>Hidden</title><style>p {}</style></head>
    <body>
      <p>Hello   <strong>Robin</strong>,</p>
      <h2>Heading</h2>
      <dl>
        <dt>Term</dt>
        <dd>Definition &amp; more</dd>
        <dt>Other</dt> <dd>Two</dd>
      </dl>
      <ul>
        <li>First <a href="https://example.org/a">link</a></li>
        <li><a href="https://example.org/b">https://example.org/b</a></li>
        <li><a href="#anchor">inside</a><br>next line</li>
      </ul>
    </body></html>"""
    assert html_to_text(html) == (
        "Hello Robin,\n\nHeading\n\nTerm: Definition & more\nOther: Two\n\n"
        "- First link <https://example.org/a>\n- https://example.org/b\n- inside\nnext line\n"
    )
