"""The invitation tool on the web and in the API: who may use it, and what it answers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from audit.models import AuditEvent
from brands.models import Invitation
from tests.brands.invitations_support import INVITING, ROLES, days_ago, invite, make_actor

pytestmark = pytest.mark.django_db


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("clients.csv", text.encode(), content_type="text/csv")


def valid_form() -> dict[str, str]:
    return {
        "email": "camille@example.org",
        "order_reference": "CMD-77",
        "purchase_date": days_ago(1).isoformat(),
        "product": "Gâteau",
        "customers_only": "on",
    }


def api_item(**fields: str) -> dict[str, str]:
    return {
        "email": "alex@example.org",
        "order_reference": "API-1",
        "purchase_date": days_ago(2).isoformat(),
        **fields,
    }


# ROLES x ENDPOINTS
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_web_pages_of_the_invitation_tool(client, brand, brand_owner, role):
    # given
    actor = make_actor(role, brand)
    if actor is not None:
        client.force_login(actor)
    existing = invite(brand, brand_owner)
    base = f"/marques/{brand.slug}/invitations/"
    allowed = role in INVITING
    # when
    responses = {
        "list": client.get(base),
        "form": client.get(base + "nouvelle/"),
        "create": client.post(base + "nouvelle/", valid_form()),
        "upload_form": client.get(base + "importer/"),
        "upload": client.post(
            base + "importer/",
            {
                "file": csv_file(
                    f"email,order_reference,purchase_date\nlou@example.org,CSV-1,{days_ago(1)}\n"
                ),
                "customers_only": "on",
            },
        ),
        "cancel": client.post(f"{base}{existing.pk}/annuler/"),
    }
    # then
    statuses = {name: response.status_code for name, response in responses.items()}
    if role == "anonymous":
        assert set(statuses.values()) == {302}
        assert all("/compte/login/" in r["Location"] for r in responses.values())
    elif allowed:
        assert statuses == {
            "list": 200,
            "form": 200,
            "create": 302,
            "upload_form": 200,
            "upload": 200,
            "cancel": 302,
        }
    else:
        assert set(statuses.values()) == {403}
    existing.refresh_from_db()
    if allowed:
        assert sorted(Invitation.objects.values_list("order_reference", flat=True)) == [
            "CMD-1042",
            "CMD-77",
            "CSV-1",
        ]
        assert existing.status == Invitation.Status.CANCELLED
    else:
        assert list(Invitation.objects.values_list("order_reference", flat=True)) == ["CMD-1042"]
        assert existing.status == Invitation.Status.SCHEDULED


@pytest.mark.parametrize("role", ROLES)
def test_api_endpoints_of_the_invitation_tool(brand, brand_owner, role):
    # given
    api = APIClient()
    actor = make_actor(role, brand)
    if actor is not None:
        api.force_authenticate(actor)
    existing = invite(brand, brand_owner)
    base = f"/api/v1/brands/{brand.slug}/invitations/"
    allowed = role in INVITING
    # when
    statuses = {
        "list": api.get(base).status_code,
        "single": api.post(base, {**api_item(), "customers_only": True}, format="json").status_code,
        "batch": api.post(
            base,
            {"customers_only": True, "invitations": [api_item(order_reference="API-2")]},
            format="json",
        ).status_code,
        "cancel": api.post(f"{base}{existing.pk}/cancel/").status_code,
    }
    # then
    if allowed:
        assert statuses == {"list": 200, "single": 201, "batch": 200, "cancel": 200}
        assert Invitation.objects.count() == 3
    else:
        assert statuses == {"list": 403, "single": 403, "batch": 403, "cancel": 403}
        assert Invitation.objects.count() == 1
        assert AuditEvent.objects.filter(action="invitation_cancelled").count() == 0


def test_an_unknown_brand_is_404(client, brand_owner):
    client.force_login(brand_owner)
    assert client.get("/marques/inconnue/invitations/").status_code == 404
    assert client.get("/marques/inconnue/invitations/nouvelle/").status_code == 404
    api = APIClient()
    api.force_authenticate(brand_owner)
    assert api.get("/api/v1/brands/inconnue/invitations/").status_code == 404


def test_an_invitation_of_another_brand_cannot_be_cancelled_here(brand, brand_owner):
    other_owner = make_actor("other_brand_owner", brand)
    other_brand = other_owner.memberships.get().brand
    invitation = invite(brand, brand_owner)
    api = APIClient()
    api.force_authenticate(other_owner)
    response = api.post(f"/api/v1/brands/{other_brand.slug}/invitations/{invitation.pk}/cancel/")
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SCHEDULED


# THE WEB TOOL
# ------------------------------------------------------------------------------


@pytest.mark.req("FTC-5")
def test_the_tool_warns_against_inviting_staff_and_asks_the_attestation(client, brand, brand_owner):
    # given
    client.force_login(brand_owner)
    # when
    page = client.get(f"/marques/{brand.slug}/invitations/nouvelle/")
    refused = client.post(
        f"/marques/{brand.slug}/invitations/nouvelle/",
        {key: value for key, value in valid_form().items() if key != "customers_only"},
    )
    # then
    html = page.content.decode()
    assert "employees" in html or "salariés" in html
    assert 'name="customers_only"' in html
    assert refused.status_code == 400
    assert refused.context["form"].errors["customers_only"]
    assert not Invitation.objects.exists()


def test_the_form_reports_a_duplicate(client, brand, brand_owner):
    brand_owner.language = "en"  # the assertions read the English messages
    brand_owner.save(update_fields=["language"])
    client.force_login(brand_owner)
    client.post(f"/marques/{brand.slug}/invitations/nouvelle/", valid_form())
    again = client.post(f"/marques/{brand.slug}/invitations/nouvelle/", valid_form())
    assert again.status_code == 400
    assert "already invited" in str(again.context["form"].non_field_errors())
    assert Invitation.objects.count() == 1


def test_an_upload_reports_each_refused_line(client, brand, brand_owner):
    # given
    client.force_login(brand_owner)
    invite(brand, brand_owner, email="deja@example.org", order_reference="D-1")
    text = (
        "email,name,order_reference,purchase_date\n"
        f"ok@example.org,Ok,C-1,{days_ago(1)}\n"
        f"pas-une-adresse,Paul,C-2,{days_ago(1)}\n"
        f"deja@example.org,,D-1,{days_ago(1)}\n"
        f"futur@example.org,,C-3,{days_ago(-3)}\n"
    )
    # when
    response = client.post(
        f"/marques/{brand.slug}/invitations/importer/",
        {"file": csv_file(text), "customers_only": "on"},
    )
    # then
    assert response.status_code == 200
    batch = response.context["batch"]
    assert [i.order_reference for i in batch.created] == ["C-1"]
    assert batch.duplicates == [4]
    assert [e.number for e in batch.errors] == [3, 5]
    html = response.content.decode()
    assert '<table class="figures row-errors">' in html
    assert "<td>3</td><td>email</td>" in html
    assert "<td>5</td><td>purchase_date</td>" in html
    assert Invitation.objects.count() == 2


@pytest.mark.req("FTC-2")
def test_an_upload_with_a_satisfaction_column_is_refused(client, brand, brand_owner):
    client.force_login(brand_owner)
    text = f"email,order_reference,purchase_date,satisfaction\na@example.org,1,{days_ago(1)},9\n"
    response = client.post(
        f"/marques/{brand.slug}/invitations/importer/",
        {"file": csv_file(text), "customers_only": "on"},
    )
    assert response.status_code == 400
    assert "satisfaction" in str(response.context["form"].errors["file"])
    assert not Invitation.objects.exists()


def test_an_upload_without_the_attestation_stores_nothing(client, brand, brand_owner):
    client.force_login(brand_owner)
    text = f"email,order_reference,purchase_date\na@example.org,1,{days_ago(1)}\n"
    response = client.post(f"/marques/{brand.slug}/invitations/importer/", {"file": csv_file(text)})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_the_list_hides_who_reviewed_and_never_shows_the_link(client, brand, brand_owner):
    # given: one invitation used, one declined, one waiting
    used = invite(brand, brand_owner, order_reference="U-1")
    declined = invite(brand, brand_owner, order_reference="O-1")
    invite(brand, brand_owner, order_reference="W-1")
    Invitation.objects.filter(pk=used.pk).update(status=Invitation.Status.REVIEWED)
    Invitation.objects.filter(pk=declined.pk).update(status=Invitation.Status.OPTED_OUT)
    client.force_login(brand_owner)
    # when
    response = client.get(f"/marques/{brand.slug}/invitations/")
    # then
    labels = {
        invitation.order_reference: label for invitation, label, _c in response.context["rows"]
    }
    assert labels["U-1"] == labels["O-1"]
    assert str(labels["W-1"]) != str(labels["U-1"])
    html = response.content.decode()
    for invitation in Invitation.objects.all():
        assert invitation.token not in html


def test_the_list_page_reads_a_fixed_number_of_queries(
    client, brand, brand_owner, place, django_assert_num_queries
):
    client.force_login(brand_owner)
    invite(brand, brand_owner, order_reference="Q-0", place=place.slug)
    client.get(f"/marques/{brand.slug}/invitations/")  # session, caches
    with django_assert_num_queries(9):
        client.get(f"/marques/{brand.slug}/invitations/")
    for n in range(1, 6):
        invite(brand, brand_owner, order_reference=f"Q-{n}", place=place.slug)
    with django_assert_num_queries(9):
        response = client.get(f"/marques/{brand.slug}/invitations/")
    assert len(response.context["rows"]) == 6


# THE API
# ------------------------------------------------------------------------------


@pytest.fixture
def owner_api(brand_owner):
    api = APIClient()
    api.force_authenticate(brand_owner)
    return api


def test_the_api_invites_one_customer(owner_api, brand, place):
    # when
    response = owner_api.post(
        f"/api/v1/brands/{brand.slug}/invitations/",
        {**api_item(place=place.slug, language="en"), "customers_only": True},
        format="json",
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert {
        key: body[key] for key in ("email", "order_reference", "place", "language", "status")
    } == {
        "email": "alex@example.org",
        "order_reference": "API-1",
        "place": place.slug,
        "language": "en",
        "status": "scheduled",
    }
    assert "token" not in body
    assert AuditEvent.objects.get(action="invitation_created").details["source"] == "api"
    # and the same order again
    again = owner_api.post(
        f"/api/v1/brands/{brand.slug}/invitations/",
        {**api_item(), "customers_only": True},
        format="json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_invited")


@pytest.mark.req("FTC-2")
def test_the_api_refuses_a_field_about_satisfaction(owner_api, brand):
    response = owner_api.post(
        f"/api/v1/brands/{brand.slug}/invitations/",
        {**api_item(), "customers_only": True, "satisfaction": 9},
        format="json",
    )
    assert response.status_code == 400
    assert "satisfaction" in response.json()
    assert not Invitation.objects.exists()


@pytest.mark.req("FTC-5")
def test_the_api_needs_the_attestation(owner_api, brand):
    missing = owner_api.post(f"/api/v1/brands/{brand.slug}/invitations/", api_item(), format="json")
    false = owner_api.post(
        f"/api/v1/brands/{brand.slug}/invitations/",
        {**api_item(), "customers_only": False},
        format="json",
    )
    assert missing.status_code == 400
    assert "customers_only" in missing.json()
    assert (false.status_code, false.json()["code"]) == (400, "attestation_required")
    assert not Invitation.objects.exists()


def test_the_api_batch_reports_item_by_item(owner_api, brand, brand_owner):
    # given
    invite(brand, brand_owner, email="deja@example.org", order_reference="D-1")
    items = [
        api_item(order_reference="B-1"),
        api_item(order_reference="B-2", purchase_date="31/02/2026"),
        api_item(order_reference="D-1", email="deja@example.org"),
        api_item(order_reference="B-3", rating=5),
        api_item(order_reference="B-4", email="x"),
    ]
    # when
    response = owner_api.post(
        f"/api/v1/brands/{brand.slug}/invitations/",
        {"customers_only": True, "invitations": items},
        format="json",
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert [i["order_reference"] for i in body["created"]] == ["B-1"]
    assert body["duplicates"] == [3]
    assert [(e["index"], sorted(e["errors"])) for e in body["errors"]] == [
        (2, ["purchase_date"]),
        (4, ["rating"]),
        (5, ["email"]),
    ]
    assert Invitation.objects.count() == 2


def test_the_api_batch_refuses_a_malformed_request(owner_api, brand):
    for payload in (
        {"customers_only": True, "invitations": []},
        {"customers_only": True, "invitations": "nope"},
        {"invitations": [api_item()]},
    ):
        response = owner_api.post(
            f"/api/v1/brands/{brand.slug}/invitations/", payload, format="json"
        )
        assert response.status_code == 400, payload
    assert not Invitation.objects.exists()


def test_the_api_list_reads_a_fixed_number_of_queries(
    owner_api, brand, brand_owner, place, django_assert_num_queries
):
    invite(brand, brand_owner, order_reference="Q-0", place=place.slug)
    with django_assert_num_queries(5):
        owner_api.get(f"/api/v1/brands/{brand.slug}/invitations/")
    for n in range(1, 6):
        invite(brand, brand_owner, order_reference=f"Q-{n}", place=place.slug)
    with django_assert_num_queries(5):
        response = owner_api.get(f"/api/v1/brands/{brand.slug}/invitations/")
    assert response.json()["count"] == 6
    assert [row["order_reference"] for row in response.json()["results"]][:2] == ["Q-5", "Q-4"]
