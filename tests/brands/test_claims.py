import re

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from brands.models import DomainClaim, Membership
from brands.services import make_claim_token
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def claim(api, django_capture_on_commit_callbacks):
    """POST a claim as `user`, running the after-commit email task as a real commit would."""

    def post(user, brand, email="camille@dupain.fr"):
        api.force_authenticate(user)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api.post(reverse("api-brand-claim", args=[brand.slug]), {"email": email})
        return response, callbacks

    return post


def _token_from(mail) -> str:
    return re.search(r"/marques/revendication/([^/\s]+)/", mail.body).group(1)


def test_claim_sends_a_signed_link_to_the_address_on_the_brands_domain(
    claim, customer, brand, mailoutbox
):
    # when
    response, callbacks = claim(customer, brand, "Camille@Dupain.fr")
    # then
    assert response.status_code == 201
    assert len(callbacks) == 1
    stored = DomainClaim.objects.get()
    assert (stored.user, stored.email, stored.status) == (customer, "camille@dupain.fr", "pending")
    event = AuditEvent.objects.get(action=AuditEvent.Action.BRAND_CLAIM_REQUESTED)
    assert (event.actor_id, event.object_id, event.to_status) == (
        customer.pk,
        str(stored.pk),
        "pending",
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["camille@dupain.fr"]
    assert "Boulangerie Dupain" in mailoutbox[0].subject
    assert _token_from(mailoutbox[0])


def test_following_the_link_makes_the_first_claimant_owner(api, claim, customer, brand, mailoutbox):
    # given
    claim(customer, brand)
    # when
    response = api.post(reverse("api-brand-claim-verify"), {"token": _token_from(mailoutbox[0])})
    # then
    assert response.status_code == 200
    membership = Membership.objects.get(brand=brand, user=customer)
    assert membership.role == "owner"
    brand.refresh_from_db()
    assert brand.domain_verified_at is not None
    assert DomainClaim.objects.get().status == "verified"
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["brand_claim_requested", "brand_claim_verified", "membership_created"]


def test_later_claimants_join_as_agents(api, claim, customer, brand, brand_owner, mailoutbox):
    claim(customer, brand)
    api.post(reverse("api-brand-claim-verify"), {"token": _token_from(mailoutbox[0])})
    assert Membership.objects.get(brand=brand, user=customer).role == "agent"


def test_the_link_only_works_for_the_account_that_claimed(api, claim, customer, brand, mailoutbox):
    # given
    claim(customer, brand)
    # when: someone else, logged in, follows the link
    api.force_authenticate(UserFactory())
    response = api.post(reverse("api-brand-claim-verify"), {"token": _token_from(mailoutbox[0])})
    # then
    assert response.status_code == 403
    assert not Membership.objects.exists()


def test_an_expired_link_is_refused(api, claim, customer, brand, mailoutbox):
    # given
    claim(customer, brand)
    # when: three days later (links live two)
    with time_machine.travel("2099-01-01", tick=False):
        response = api.post(
            reverse("api-brand-claim-verify"), {"token": _token_from(mailoutbox[0])}
        )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "expired"
    assert not Membership.objects.exists()


@pytest.mark.parametrize("token", ["garbage", "eyJjbGFpbSI6MX0:1vLq:forged"])
def test_a_forged_link_is_refused(api, customer, token):
    api.force_authenticate(customer)
    response = api.post(reverse("api-brand-claim-verify"), {"token": token})
    assert response.status_code == 400
    assert response.json()["token"]


def test_a_link_works_once(api, claim, customer, brand, mailoutbox):
    claim(customer, brand)
    token = _token_from(mailoutbox[0])
    api.post(reverse("api-brand-claim-verify"), {"token": token})
    again = api.post(reverse("api-brand-claim-verify"), {"token": token})
    assert again.status_code == 409
    assert Membership.objects.count() == 1


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("camille@gmail.com", "wrong_domain"),
        ("camille@notdupain.fr", "wrong_domain"),
        ("camille@dupain.fr.evil.com", "wrong_domain"),
    ],
)
def test_an_address_off_the_domain_is_refused(api, customer, brand, mailoutbox, email, code):
    api.force_authenticate(customer)
    response = api.post(reverse("api-brand-claim", args=[brand.slug]), {"email": email})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not DomainClaim.objects.exists()
    assert mailoutbox == []


def test_a_subdomain_address_proves_the_domain(api, customer, brand):
    api.force_authenticate(customer)
    response = api.post(
        reverse("api-brand-claim", args=[brand.slug]), {"email": "camille@paris.dupain.fr"}
    )
    assert response.status_code == 201


@pytest.mark.req("NF-COL-3")
def test_unverified_accounts_cannot_claim(api, unverified_user, brand, mailoutbox):
    api.force_authenticate(unverified_user)
    response = api.post(reverse("api-brand-claim", args=[brand.slug]), {"email": "a@dupain.fr"})
    assert response.status_code == 403
    assert not DomainClaim.objects.exists()


def test_one_pending_claim_at_a_time(api, claim, customer, brand):
    claim(customer, brand)
    again = api.post(reverse("api-brand-claim", args=[brand.slug]), {"email": "c2@dupain.fr"})
    assert again.status_code == 409
    assert DomainClaim.objects.count() == 1


def test_members_cannot_claim_again(api, brand_owner, brand):
    api.force_authenticate(brand_owner)
    response = api.post(reverse("api-brand-claim", args=[brand.slug]), {"email": "x@dupain.fr"})
    assert response.status_code == 409


def test_claims_need_an_account(api, brand):
    response = api.post(reverse("api-brand-claim", args=[brand.slug]), {"email": "a@dupain.fr"})
    assert response.status_code in (401, 403)


def test_operator_approves_a_claim(api, customer, brand, operator):
    # given
    claim = DomainClaim.objects.create(brand=brand, user=customer, email="c@gmail.com")
    api.force_authenticate(operator)
    # when
    response = api.post(reverse("api-brand-claim-approve", args=[claim.pk]))
    # then
    assert response.status_code == 200
    assert Membership.objects.get(brand=brand, user=customer).role == "owner"
    event = AuditEvent.objects.get(action=AuditEvent.Action.BRAND_CLAIM_APPROVED)
    assert (event.actor_id, event.from_status, event.to_status) == (
        operator.pk,
        "pending",
        "approved",
    )


def test_operator_rejects_a_claim(api, customer, brand, operator):
    claim = DomainClaim.objects.create(brand=brand, user=customer, email="c@gmail.com")
    api.force_authenticate(operator)
    response = api.post(reverse("api-brand-claim-reject", args=[claim.pk]))
    assert response.status_code == 200
    assert DomainClaim.objects.get().status == "rejected"
    assert not Membership.objects.exists()


@pytest.mark.parametrize("actor_fixture", ["customer", "moderator", "brand_owner"])
def test_only_operators_approve_or_list_claims(request, api, brand, unverified_user, actor_fixture):
    claim = DomainClaim.objects.create(brand=brand, user=unverified_user, email="u@dupain.fr")
    api.force_authenticate(request.getfixturevalue(actor_fixture))
    assert api.post(reverse("api-brand-claim-approve", args=[claim.pk])).status_code == 403
    assert api.post(reverse("api-brand-claim-reject", args=[claim.pk])).status_code == 403
    assert api.get(reverse("api-brand-claim-list")).status_code == 403
    assert DomainClaim.objects.get().status == "pending"


def test_operator_lists_pending_claims(api, operator, brand, customer):
    DomainClaim.objects.create(brand=brand, user=customer, email="c@dupain.fr")
    api.force_authenticate(operator)
    response = api.get(reverse("api-brand-claim-list"))
    assert [c["email"] for c in response.json()["results"]] == ["c@dupain.fr"]


def test_owner_promotes_an_agent(api, brand, brand_owner):
    # given
    agent = MembershipFactory(brand=brand, role="agent")
    api.force_authenticate(brand_owner)
    # when
    response = api.post(reverse("api-membership-role", args=[agent.pk]), {"role": "manager"})
    # then
    assert response.status_code == 200
    agent.refresh_from_db()
    assert agent.role == "manager"
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_ROLE_CHANGED)
    assert (event.actor_id, event.from_status, event.to_status) == (
        brand_owner.pk,
        "agent",
        "manager",
    )


def test_agents_and_other_brands_owners_cannot_change_roles(api, brand, brand_agent):
    target = MembershipFactory(brand=brand, role="agent")
    other_owner = MembershipFactory(role="owner").user
    for actor in (brand_agent, other_owner):
        api.force_authenticate(actor)
        response = api.post(reverse("api-membership-role", args=[target.pk]), {"role": "owner"})
        assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == "agent"


def test_a_brand_keeps_its_last_owner(api, brand, brand_owner):
    membership = Membership.objects.get(user=brand_owner)
    api.force_authenticate(brand_owner)
    response = api.post(reverse("api-membership-role", args=[membership.pk]), {"role": "agent"})
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"


def test_claim_page_shows_errors_in_the_form(client, customer, brand):
    client.force_login(customer)
    response = client.post(reverse("brands:claim", args=[brand.slug]), {"email": "c@gmail.com"})
    assert response.status_code == 400
    assert "dupain.fr" in response.content.decode()
    assert not DomainClaim.objects.exists()


def test_claim_by_web_then_confirm_by_web(
    client, customer, brand, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    client.force_login(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("brands:claim", args=[brand.slug]), {"email": "camille@dupain.fr"}
        )
    assert response.status_code == 302
    token = _token_from(mailoutbox[0])
    # when: opening the link changes nothing; the button does
    assert client.get(reverse("brands:claim-verify", args=[token])).status_code == 200
    assert not Membership.objects.exists()
    response = client.post(reverse("brands:claim-verify", args=[token]))
    # then
    assert response.status_code == 302
    assert Membership.objects.get().role == "owner"
    assert "Boulangerie Dupain" in client.get(reverse("brands:mine")).content.decode()


def test_claim_token_names_only_the_claim(customer, brand):
    pending = DomainClaim.objects.create(brand=brand, user=customer, email="c@dupain.fr")
    assert "dupain" not in make_claim_token(claim=pending)


def test_brand_list_and_detail_are_public(client, brand, place):
    listing = client.get(reverse("api-brand-list"), {"city": "Paris"}).json()
    assert [b["slug"] for b in listing["results"]] == [brand.slug]
    detail = client.get(reverse("api-brand-detail", args=[brand.slug])).json()
    assert [p["city"] for p in detail["places"]] == ["Paris"]
    assert client.get(reverse("api-brand-detail", args=["nope"])).status_code == 404


def test_brand_list_query_count_does_not_grow_with_brands(
    client, django_assert_num_queries, brand, place
):
    from tests.factories import BrandFactory, PlaceFactory

    for _ in range(5):
        PlaceFactory(brand=BrandFactory())
    with django_assert_num_queries(2):  # count + page
        client.get(reverse("api-brand-list"))
