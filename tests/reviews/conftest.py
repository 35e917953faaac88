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


# Brand replies (tests/reviews/test_replies*.py, helpers in tests/reviews/replying.py)


@pytest.fixture
def answerable_review(brand, moderator):
    """A published review of the brand, its decision email left out of the outbox."""
    from django.core import mail

    from tests.reviews.publishing import submit_and_decide

    published = submit_and_decide(brand=brand, moderator=moderator)
    assert published.status == "published"
    mail.outbox.clear()
    return published


@pytest.fixture
def brand_manager(brand):
    from tests.factories import MembershipFactory

    return MembershipFactory(brand=brand, role="manager").user


@pytest.fixture
def people_by_role(
    brand, answerable_review, brand_owner, brand_manager, brand_agent, customer, moderator, operator
):
    """One user per role of tests.reviews.replying.ROLES, by name."""
    from tests.factories import BrandFactory, MembershipFactory

    return {
        "owner": brand_owner,
        "manager": brand_manager,
        "agent": brand_agent,
        "customer": customer,
        "author": answerable_review.author,
        "other_brand_member": MembershipFactory(brand=BrandFactory(), role="owner").user,
        "moderator": moderator,
        "operator": operator,
    }
