from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from moderation.models import Decision
from moderation.rules import RULES
from reviews.models import Review
from reviews.services import mark_author_notified


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def notify_review_decision_task(*, review_id: int, decision_id: int) -> None:
    """Email the author the outcome; when rejected, the rule, its explanation and how to appeal
    (FR-4, NF-MOD-7). Sent once per decision, however often the task is delivered."""
    review = Review.objects.select_related("author", "brand").filter(pk=review_id).first()
    decision = Decision.objects.filter(pk=decision_id).first()
    if review is None or decision is None or review.notified_decision_id == decision_id:
        return
    rule = RULES.get(decision.rule_code)
    with translation.override(review.author.language):
        context = {
            "review": review,
            "decision": decision,
            "rule": rule,
            "rule_title": rule.title(review.author.language) if rule else "",
            "rule_explanation": rule.explanation(review.author.language) if rule else "",
            "automated": decision.is_automated,
            "my_reviews_url": settings.SITE_URL + reverse("reviews:mine"),
            "code_of_conduct_url": settings.SITE_URL + reverse("code-of-conduct"),
        }
        subject = render_to_string("reviews/email/decision_subject.txt", context).strip()
        body = render_to_string("reviews/email/decision_body.txt", context)
    send_mail(subject, body, None, [review.author.email])
    mark_author_notified(review_id=review.pk, decision_id=decision_id)
