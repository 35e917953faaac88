"""Who may use each page and endpoint of the workspace: every role on every one of them."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from moderation.models import WorkItem
from moderation.services import claim_work_item
from tests.factories import MembershipFactory, UserFactory
from tests.moderation.workspace import open_item

ROLES = (
    "anonymous",
    "customer",
    "author",
    "brand member",
    "moderator",
    "moderator tied to the brand",
    "operator",
)
MODERATORS = ("moderator", "operator")


@pytest.fixture
def case(submission, brand, moderator):
    """An open item on a brand, and a user for each role."""
    author = UserFactory()
    item = open_item(submission(author=author))
    tied = UserFactory(role="moderator", moderation_languages=["fr"])
    MembershipFactory(brand=brand, user=tied)
    users = {
        "anonymous": None,
        "customer": UserFactory(),
        "author": author,
        "brand member": MembershipFactory(brand=brand, role="owner").user,
        "moderator": moderator,
        "moderator tied to the brand": tied,
        "operator": UserFactory(role="operator", is_staff=True, moderation_languages=["fr", "en"]),
    }
    return item, users


def _expected(role, *, for_moderators, for_tied=403, for_operator=None):
    if role == "anonymous":
        return "login"
    if role in MODERATORS:
        return for_operator if role == "operator" and for_operator is not None else for_moderators
    if role == "moderator tied to the brand":
        return for_tied
    return 403


WEB = {
    # name: (method, url name, uses the item, data, moderator, tied moderator, operator)
    "queue": ("get", "moderation:queue", False, None, 200, 200, None),
    "claim next": ("post", "moderation:queue-next", False, {}, 302, 302, None),
    "item": ("get", "moderation:item", True, None, 200, 403, None),
    "claim": ("post", "moderation:item-claim", True, {}, 302, 403, None),
    "release": ("post", "moderation:item-release", True, {}, 302, 403, None),
    "decide": ("post", "moderation:item-decide", True, {"action": "publish"}, 302, 403, None),
    "bulk": ("post", "moderation:item-bulk-decide", True, "bulk", 302, 403, None),
    "content": ("get", "moderation:submission", "submission", None, 200, 403, None),
    "measures": ("get", "moderation:measures", False, None, 403, 403, 200),
}


@pytest.mark.req("NF-MOD-4")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", WEB)
def test_web_pages_by_role(client, case, role, page):
    # given
    item, users = case
    method, name, target, data, moderators, tied, operator = WEB[page]
    user = users[role]
    if user is not None:
        client.force_login(user)
    if page == "release" and role in MODERATORS:
        claim_work_item(item_id=item.pk, moderator=user)
    args = [item.pk] if target is True else [item.submission_id] if target else []
    if data == "bulk":
        data = {"bulk-items": [item.pk], "bulk-action": "publish"}
    # when
    response = getattr(client, method)(reverse(name, args=args), data)
    # then
    expected = _expected(role, for_moderators=moderators, for_tied=tied, for_operator=operator)
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected
    decided = WorkItem.objects.get(pk=item.pk).state == WorkItem.State.DONE
    assert decided == (page in ("decide", "bulk") and role in MODERATORS)


API = {
    # name: (method, url name, uses the item, data, moderator, tied moderator, operator)
    "queue": ("get", "api-moderation-queue", False, None, 200, 200, None),
    "claim next": ("post", "api-moderation-queue-next", False, {}, 200, 204, None),
    "item": ("get", "api-moderation-item", True, None, 200, 403, None),
    "claim": ("post", "api-moderation-item-claim", True, {}, 200, 403, None),
    "release": ("post", "api-moderation-item-release", True, {}, 200, 409, None),
    "decide": ("post", "api-moderation-item-decide", True, {"action": "publish"}, 200, 403, None),
    # each item is checked by the service: the tied moderator's is skipped, with the reason
    "bulk": ("post", "api-moderation-bulk-decide", False, "bulk", 200, 200, None),
    "measures": ("get", "api-moderation-measures", False, None, 403, 403, 200),
}


@pytest.mark.req("NF-MOD-4")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", API)
def test_api_endpoints_by_role(case, role, endpoint):
    # given
    item, users = case
    method, name, target, data, moderators, tied, operator = API[endpoint]
    user = users[role]
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    if endpoint == "release" and role in MODERATORS:
        claim_work_item(item_id=item.pk, moderator=user)
    if data == "bulk":
        data = {"item_ids": [item.pk], "action": "publish"}
    # when
    response = getattr(api, method)(
        reverse(name, args=[item.pk] if target else []), data, format="json"
    )
    # then: a visitor gets 403 too (session authentication sends no challenge)
    expected = _expected(role, for_moderators=moderators, for_tied=tied, for_operator=operator)
    assert response.status_code == (403 if expected == "login" else expected)
    decided = WorkItem.objects.get(pk=item.pk).state == WorkItem.State.DONE
    assert decided == (endpoint in ("decide", "bulk") and role in MODERATORS)
    if endpoint == "bulk" and role == "moderator tied to the brand":
        assert response.json()["results"][0]["code"] == "conflict_of_interest"


def test_the_queue_link_is_in_the_navigation_of_moderators_only(client, moderator, customer):
    queue = reverse("moderation:queue")
    client.force_login(customer)
    assert queue not in client.get(reverse("home")).content.decode()
    client.force_login(moderator)
    assert f'href="{queue}"' in client.get(reverse("home")).content.decode()
