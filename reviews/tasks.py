from celery import shared_task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from config.celery_app import TRANSIENT_ERRORS
from config.emails import send_html_email
from moderation.models import Decision
from reviews.models import Review
from reviews.reply_selectors import published_versions_not_emailed, restricted_versions_not_emailed
from reviews.selectors import decisions_not_emailed
from reviews.services import mark_author_notified
from reviews.statements import decision_email_context


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def notify_review_decision_task(*, review_id: int, decision_id: int) -> None:
    """Email the author the decision, in their language. A restriction (refusal, removal,
    label) carries its statement of reasons with the rule and the ways to contest it (DSA
    art. 17, FR-4, NF-MOD-7); a request for proof, the upload link and the deadline. Sent once
    per decision, however often the task is delivered."""
    review = Review.objects.select_related("author", "brand").filter(pk=review_id).first()
    decision = Decision.objects.filter(pk=decision_id).first()
    if review is None or decision is None or review.notified_decision_id == decision_id:
        return
    language = review.author.language
    with translation.override(language):
        context = decision_email_context(
            review=review, decision=decision, language=language, now=timezone.now()
        )
        subject = render_to_string("reviews/email/decision_subject.txt", context).strip()
        html = render_to_string("reviews/email/decision_body.html", context)
    send_html_email(
        subject=subject,
        html=html,
        to=review.author.email,
        key=f"review-decision:{review.pk}:{decision_id}",
    )
    mark_author_notified(review_id=review.pk, decision_id=decision_id)


# BRAND REPLIES
# ------------------------------------------------------------------------------


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def notify_reply_published_task(*, version_id: int) -> None:
    """Tell the review's author that the brand replied, or updated its reply, in their
    language, with the reply's text and a link to the review. Sent once per published version,
    however often the task is delivered; nothing if the version or the review left the page."""
    from django.conf import settings
    from django.urls import reverse

    from reviews.models import ReplyVersion
    from reviews.reply_services import mark_reviewer_notified

    version = (
        ReplyVersion.objects.select_related("reply__review__author", "reply__review__brand")
        .filter(pk=version_id)
        .first()
    )
    if (
        version is None
        or version.reviewer_notified_at is not None
        or version.status != ReplyVersion.Status.PUBLISHED
    ):
        return
    review = version.reply.review
    if review.status != Review.Status.PUBLISHED or review.author.is_imported:
        return
    language = review.author.language
    with translation.override(language):
        first = version.reply.first_published_at
        context = {
            "review": review,
            "version": version,
            "updated": first is not None and (version.published_at or first) > first,
            "language": language,
            "review_url": settings.SITE_URL + reverse("review-history", args=[review.pk]),
        }
        subject = render_to_string("reviews/email/reply_published_subject.txt", context).strip()
        html = render_to_string("reviews/email/reply_published_body.html", context)
    send_html_email(
        subject=subject, html=html, to=review.author.email, key=f"reply-published:{version.pk}"
    )
    mark_reviewer_notified(version_id=version.pk)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def notify_reply_decision_task(*, version_id: int, decision_id: int) -> None:
    """Tell the member who wrote a version of a reply that it was refused or removed, with the
    rule of the code of conduct and how to contest (DSA art. 17). Sent once per decision."""
    from django.conf import settings
    from django.urls import reverse

    from moderation.rules import RULES
    from reviews.models import ReplyVersion
    from reviews.reply_services import mark_reply_author_notified

    version = (
        ReplyVersion.objects.select_related("author", "reply__review__brand")
        .filter(pk=version_id)
        .first()
    )
    decision = Decision.objects.filter(pk=decision_id).first()
    if version is None or decision is None or version.notified_decision_id == decision_id:
        return
    language = version.author.language
    rule = RULES.get(decision.rule_code)
    with translation.override(language):
        context = {
            "version": version,
            "review": version.reply.review,
            "decision": decision,
            "language": language,
            "rule_title": rule.title(language) if rule else decision.rule_code,
            "rule_explanation": rule.explanation(language) if rule else "",
            "brand_reviews_url": settings.SITE_URL
            + reverse("reviews:brand-reviews", args=[version.reply.review.brand.slug]),
            "code_of_conduct_url": settings.SITE_URL + reverse("code-of-conduct"),
            "contact_email": settings.MODERATION_CONTACT_EMAIL,
        }
        subject = render_to_string("reviews/email/reply_decision_subject.txt", context).strip()
        html = render_to_string("reviews/email/reply_decision_body.html", context)
    send_html_email(
        subject=subject,
        html=html,
        to=version.author.email,
        key=f"reply-decision:{version.pk}:{decision.pk}",
    )
    mark_reply_author_notified(version_id=version.pk, decision_id=decision.pk)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_missed_decision_emails_task() -> None:
    """Periodic: enqueue again the emails that tell of a moderation decision and were lost with
    the broker: a review's decision to its author, a reply's publication to the review's
    author, a reply's refusal or removal to its member. Each is sent once whatever happens."""
    for review_id, decision_id in decisions_not_emailed():
        notify_review_decision_task.delay(review_id=review_id, decision_id=decision_id)
    for version_id in published_versions_not_emailed():
        notify_reply_published_task.delay(version_id=version_id)
    for version_id, decision_id in restricted_versions_not_emailed():
        notify_reply_decision_task.delay(version_id=version_id, decision_id=decision_id)
