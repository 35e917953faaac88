from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from config.celery_app import TRANSIENT_ERRORS
from config.emails import send_email_once
from config.faults import fault_point
from moderation.information import describe_duration
from moderation.models import Appeal, Report, ReportingSanction
from moderation.rules import RULES
from moderation.services import (
    latest_decision,
    mark_appeal_outcome_notified,
    mark_report_acknowledged,
    mark_report_outcome_notified,
    mark_sanction_notified,
    moderate_submission,
    report_appeal_token,
    sweep_undecided_submissions,
)
from moderation.statements import ODS_BODIES_URL


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError, DatabaseError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=8,
)
def moderate_submission_task(*, submission_id: int) -> None:
    """Idempotent: a submission already decided is left alone (see moderate_submission), so a
    redelivery after a lost worker, or a sweep, decides it once. The decision and its side
    effects commit together; emails and webhooks are enqueued after the commit and carry their
    own idempotency keys. The fault points let tests/faults stop a worker inside the
    transaction and after it (no-ops in production)."""
    with transaction.atomic():
        moderate_submission(submission_id=submission_id)
        fault_point("moderation-before-commit")
    fault_point("moderation-after-commit")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sweep_undecided_submissions_task() -> None:
    sweep_undecided_submissions()


# EMAILS ABOUT REPORTS (DSA art. 16(4)-(6), art. 23)
# ------------------------------------------------------------------------------
# Each loads its rows by id, sends at most once (the mark is set after sending, as in
# reviews.tasks), and writes in the recipient's language: their account's, or for a notifier
# without an account the language of their request.


def _report_language(report: Report) -> str:
    if report.reporter is not None:
        return report.reporter.language
    # A notifier without an account: the language of the page they filed it from.
    return report.language or settings.LANGUAGE_CODE


def _site_url(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _send(template: str, context: dict[str, Any], language: str, to: str, *, key: str) -> None:
    """Send once per idempotency `key` (config.emails.send_email_once)."""
    with translation.override(language):
        subject = render_to_string(f"moderation/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"moderation/email/{template}_body.txt", context)
    send_email_once(EmailMessage(subject, body, None, [to]), key=key)


def _report_appeal_url(report: Report) -> str:
    if report.reporter is not None:
        return _site_url("reviews:appeal-report", report.pk)
    return _site_url("reviews:appeal-notice", report_appeal_token(report))


def _load_report(report_id: int) -> Report | None:
    return (
        Report.objects.select_related("reporter", "submission__brand").filter(pk=report_id).first()
    )


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def acknowledge_report_task(*, report_id: int) -> None:
    """Confirm receipt to the reporter (DSA-6): what was reported, what happens next and by
    when at the latest (the maximum delay of the settings). Sent once."""
    report = _load_report(report_id)
    if report is None or report.acknowledged_at is not None or not report.contact_email:
        return
    language = _report_language(report)
    delay = (
        settings.TRUSTED_FLAGGER_DECISION_MAX_DELAY
        if report.trusted_flagger
        else settings.REPORT_DECISION_MAX_DELAY
    )
    with translation.override(language):
        max_delay = describe_duration(delay)
    context = {
        "report": report,
        "submission": report.submission,
        "max_delay": max_delay,
        "due_at": report.created_at + delay,
        "has_account": report.reporter is not None,
        "my_reports_url": _site_url("reviews:my-reports"),
        "code_of_conduct_url": _site_url("code-of-conduct"),
    }
    _send(
        "report_acknowledged",
        context,
        language,
        report.contact_email,
        key=f"report-acknowledged:{report.pk}",
    )
    mark_report_acknowledged(report_id=report.pk)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def notify_report_outcome_task(*, report_id: int) -> None:
    """Tell the reporter the outcome (DSA-7): upheld or dismissed, whether automated means
    decided (DSA-8), and how to contest within six months: the appeal form for an account,
    otherwise the contact point; out-of-court dispute settlement and the courts for all."""
    report = _load_report(report_id)
    if (
        report is None
        or report.status == Report.Status.OPEN
        or report.outcome_notified_at is not None
        or not report.contact_email
    ):
        return
    language = _report_language(report)
    decision = latest_decision(report.submission) if report.status == Report.Status.UPHELD else None
    rule = RULES.get(decision.rule_code if decision else report.rule_code)
    decided_at = report.decided_at or report.created_at
    dismissed = report.status == Report.Status.DISMISSED
    context = {
        "report": report,
        "submission": report.submission,
        "upheld": report.status == Report.Status.UPHELD,
        "decision": decision,
        "rule_title": rule.title(language) if rule else "",
        "rule_code": rule.code if rule else "",
        "automated": report.decided_by_id is None,
        "has_account": report.reporter is not None,
        # The form where a reporter contests the dismissal of their report (DSA-17): in their
        # account, or through a signed link for a notifier without one (DSA art. 20(1)).
        "appeal_url": _report_appeal_url(report) if dismissed else "",
        "appeal_deadline": decided_at + settings.APPEAL_WINDOW,
        "contact_email": settings.MODERATION_CONTACT_EMAIL,
        "my_reports_url": _site_url("reviews:my-reports"),
        "code_of_conduct_url": _site_url("code-of-conduct"),
    }
    _send(
        "report_outcome",
        context,
        language,
        report.contact_email,
        key=f"report-outcome:{report.pk}",
    )
    mark_report_outcome_notified(report_id=report.pk)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def notify_reporting_sanction_task(*, sanction_id: int) -> None:
    """Tell an account of a warning or a suspension of its reporting for misuse (DSA art.
    23(2)), with the figures it rests on, its end date and the published policy."""
    sanction = ReportingSanction.objects.select_related("user").filter(pk=sanction_id).first()
    if sanction is None or sanction.notified_at is not None:
        return
    language = sanction.user.language
    with translation.override(language):
        window = describe_duration(settings.REPORTING_ABUSE_WINDOW)
        suspension = describe_duration(settings.REPORTING_SUSPENSION)
    context = {
        "sanction": sanction,
        "user": sanction.user,
        "suspended": sanction.kind == ReportingSanction.Kind.SUSPENSION,
        "window": window,
        "suspension": suspension,
        "suspension_after": settings.REPORTING_SUSPENSION_AFTER,
        "policy_url": _site_url("code-of-conduct") + "#reporting-misuse",
        "contact_email": settings.MODERATION_CONTACT_EMAIL,
    }
    _send(
        "reporting_sanction",
        context,
        language,
        sanction.user.email,
        key=f"reporting-sanction:{sanction.pk}",
    )
    mark_sanction_notified(sanction_id=sanction.pk)


# PROOF OF EXPERIENCE (NF-COL-5)
# ------------------------------------------------------------------------------


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_proof_requests_task() -> None:
    """Periodic (CELERY_BEAT_SCHEDULE): proofs not sent before their deadline restrict their
    content. Idempotent: each request is settled once, under its row lock."""
    from moderation.services import expire_proof_requests

    expire_proof_requests()


# APPEALS (DSA art. 20(5)-(6), 21)
# ------------------------------------------------------------------------------


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def notify_appeal_outcome_task(*, appeal_id: int, report_id: int | None = None) -> None:
    """Tell the appellant the reasoned outcome of their appeal (DSA-19): confirmed or reversed,
    decided by a moderator who did not take the first decision, not by automated means
    (DSA-20), and the redress left: out-of-court dispute settlement and the courts (DSA-21).
    With `report_id`, tell that reporter instead that the restriction their report obtained
    was lifted on appeal. Each is sent once."""
    appeal = (
        Appeal.objects.select_related("appellant", "decision", "report", "submission__brand")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None or appeal.status == Appeal.Status.OPEN or appeal.decided_at is None:
        return
    context: dict[str, Any] = {
        "appeal": appeal,
        "submission": appeal.submission,
        "reversed": appeal.status == Appeal.Status.REVERSED,
        "ods_url": ODS_BODIES_URL,
    }
    if report_id is None:
        if appeal.outcome_notified_at is not None:
            return
        # A notifier without an account is written to in the language of their notice.
        language = (
            appeal.appellant.language
            if appeal.appellant is not None
            else _report_language(appeal.report)
            if appeal.report is not None
            else settings.LANGUAGE_CODE
        )
        # The rule that stands: the contested one, or the one a reversed dismissal applied.
        decision = appeal.decision or latest_decision(appeal.submission)
        rule = RULES.get(decision.rule_code) if decision else None
        context |= {
            "appellant_name": appeal.appellant_label,
            "by_author": appeal.decision_id is not None,
            "rule_title": rule.title(language) if rule else "",
        }
        if not appeal.contact_email:
            return
        _send(
            "appeal_outcome",
            context,
            language,
            appeal.contact_email,
            key=f"appeal-outcome:{appeal.pk}",
        )
    else:
        report = _load_report(report_id)
        if (
            report is None
            or not report.contact_email
            or (
                report.outcome_notified_at is not None
                and report.outcome_notified_at >= appeal.decided_at
            )
        ):
            return  # gone, no address, or already told
        context["report"] = report
        _send(
            "appeal_lifted",
            context,
            _report_language(report),
            report.contact_email,
            key=f"appeal-lifted:{appeal.pk}:{report.pk}",
        )
    mark_appeal_outcome_notified(appeal_id=appeal.pk, report_id=report_id)
