import datetime

import pytest
from django.utils import timezone

from reviews.services import submit_review

CLEAN_TEXT = (
    "Accueil chaleureux, pain encore tiède et croissants croustillants. "
    "J'y retourne chaque samedi matin avec plaisir."
)


@pytest.fixture
def review_input(brand, place):
    """A valid review of the brand, as the form or API would pass it."""
    return {
        "brand": brand,
        "place": place,
        "channel": "in_store",
        "rating": 4,
        "title": "Très bonne boulangerie",
        "text": CLEAN_TEXT,
        "language": "fr",
        "experience_date": timezone.localdate() - datetime.timedelta(days=3),
        "attested": True,
        "client_ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 Test",
    }


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit a review and let the after-commit work run (eager tasks: the pipeline decides)."""

    def run(author, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return submit_review(author=author, **fields)

    return run
