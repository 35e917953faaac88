"""Review invitations: creating them (form, CSV), sending them and one reminder, opting out."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from audit.models import AuditEvent
from audit.services import compute_event_hash
from brands.invitations import (
    InvitationRow,
    cancel_invitation,
    create_invitations,
    email_digest,
    list_due_invitation_ids,
    make_opt_out_token,
    opt_out_of_invitation,
    read_invitation_csv,
    send_invitation,
)
from brands.models import Invitation, InvitationOptOut
from brands.tasks import send_due_invitations_task
from config.errors import ApplicationError, ConflictError, PermissionDeniedError
from tests.brands.invitations_support import days_ago, invite, send_now, sent_invitation
from tests.factories import BrandFactory, MembershipFactory, PlaceFactory

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages asserted here are the English source strings (French is the default)."""
    with translation.override("en"):
        yield


def invitation_events(invitation: Invitation) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(
            object_type="brands.invitation", object_id=str(invitation.pk)
        ).values_list("action", "from_status", "to_status")
    )


# CREATING
# ------------------------------------------------------------------------------


def test_an_owner_invites_a_customer(brand, place, brand_owner):
    # when
    with time_machine.travel(START, tick=False):
        invitation = invite(brand, brand_owner, place=place.slug, name=" Camille  Martin ")
    # then
    invitation.refresh_from_db()
    assert (invitation.status, invitation.email, invitation.name, invitation.place) == (
        Invitation.Status.SCHEDULED,
        "client@example.net",
        "Camille Martin",
        place,
    )
    assert invitation.created_at == START
    assert len(invitation.token) >= 43
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_CREATED)
    assert (event.actor, event.object_id, event.to_status) == (
        brand_owner,
        str(invitation.pk),
        "scheduled",
    )
    assert event.details == {
        "brand_id": brand.pk,
        "place_id": place.pk,
        "source": "form",
        "customers_only_attested": True,
        "send_after": (START + datetime.timedelta(days=1)).isoformat(),
    }
    assert "client@example.net" not in str(event.details)  # never in the audit trail
    assert event.hash == compute_event_hash(event)
    assert mail.outbox == []  # not before the delay


@pytest.mark.req("FTC-5")
def test_inviting_needs_the_attestation_that_the_list_holds_only_customers(brand, brand_owner):
    # when
    with pytest.raises(ApplicationError) as refused:
        invite(brand, brand_owner, customers_only=False)
    # then
    assert (refused.value.code, refused.value.field) == ("attestation_required", "customers_only")
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_CREATED).exists()


@pytest.mark.parametrize("role", ["agent", "outsider", "other_brand_owner"])
def test_only_owners_and_managers_invite(brand, role):
    # given
    if role == "agent":
        actor = MembershipFactory(brand=brand, role="agent").user
    elif role == "other_brand_owner":
        actor = MembershipFactory(brand=BrandFactory(), role="owner").user
    else:
        actor = MembershipFactory(role="owner").user  # owner elsewhere, customer here
    # when
    with pytest.raises(PermissionDeniedError):
        invite(brand, actor)
    # then
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_CREATED).exists()


def test_a_manager_invites(brand):
    manager = MembershipFactory(brand=brand, role="manager").user
    assert invite(brand, manager).created_by == manager


def test_an_order_and_address_are_invited_once(brand, brand_owner):
    # given
    invite(brand, brand_owner, email="Client@Example.net")
    # when
    with pytest.raises(ConflictError) as refused:
        invite(brand, brand_owner, email="client@example.net")
    # then
    assert refused.value.code == "already_invited"
    assert Invitation.objects.count() == 1
    # another order of the same customer is another invitation
    assert invite(brand, brand_owner, order_reference="CMD-2000").pk


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "not a valid email"),
        ({"order_reference": "  "}, "order_reference", "missing"),
        ({"purchase_date": None}, "purchase_date", "missing"),
        ({"purchase_date": days_ago(-1)}, "purchase_date", "in the future"),
        ({"purchase_date": days_ago(400)}, "purchase_date", "too old"),
        ({"place": "nowhere"}, "place", "no place"),
        ({"language": "de"}, "language", "Unknown language"),
        ({"product": "x" * 201}, "product", "too long"),
    ],
)
def test_an_invalid_invitation_is_refused_with_its_field(
    brand, brand_owner, fields, field, message
):
    with pytest.raises(ApplicationError) as refused:
        invite(brand, brand_owner, **fields)
    assert refused.value.field == field
    assert message in str(refused.value.message)
    assert not Invitation.objects.exists()


def test_a_place_of_another_brand_is_unknown_here(brand, brand_owner):
    other = PlaceFactory(brand=BrandFactory())
    with pytest.raises(ApplicationError) as refused:
        invite(brand, brand_owner, place=other.slug)
    assert refused.value.field == "place"


def test_a_batch_creates_valid_rows_skips_duplicates_and_reports_the_others(brand, brand_owner):
    # given: one invitation already there
    invite(brand, brand_owner, email="deja@example.net", order_reference="A-0")
    rows = [
        InvitationRow(
            number=2, email="un@example.net", order_reference="A-1", purchase_date=days_ago(1)
        ),
        InvitationRow(number=3, email="faux", order_reference="A-2", purchase_date=days_ago(1)),
        InvitationRow(
            number=4, email="deja@example.net", order_reference="A-0", purchase_date=days_ago(1)
        ),
        InvitationRow(
            number=5, email="un@example.net", order_reference="A-1", purchase_date=days_ago(1)
        ),
        InvitationRow(
            number=6, email="deux@example.net", order_reference="A-3", purchase_date=days_ago(3)
        ),
    ]
    # when
    batch = create_invitations(
        brand=brand, actor=brand_owner, rows=rows, customers_only=True, source="csv"
    )
    # then
    assert [i.order_reference for i in batch.created] == ["A-1", "A-3"]
    assert batch.duplicates == [4, 5]
    assert [(e.number, [f for f, _m in e.problems]) for e in batch.errors] == [(3, ["email"])]
    assert Invitation.objects.count() == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_CREATED).count() == 3


def test_a_batch_over_the_limit_is_refused_whole(brand, brand_owner, settings):
    settings.INVITATION_UPLOAD_MAX_ROWS = 2
    rows = [
        InvitationRow(
            number=n, email=f"c{n}@example.net", order_reference=f"R{n}", purchase_date=days_ago(1)
        )
        for n in range(3)
    ]
    with pytest.raises(ApplicationError) as refused:
        create_invitations(
            brand=brand, actor=brand_owner, rows=rows, customers_only=True, source="api"
        )
    assert refused.value.code == "too_many_rows"
    assert not Invitation.objects.exists()


# READING A CSV FILE
# ------------------------------------------------------------------------------

GOOD_CSV = (
    "email,name,order_reference,purchase_date,place,product,language\n"
    "camille@example.org,Camille,CMD-1,{d1},{place},Baguette,fr\n"
    "alex@example.org,,CMD-2,{d2},,Croissants,en\n"
    "\n"
    "mauvaise-adresse,Paul,CMD-3,{d1},,,\n"
    "sam@example.org,Sam,CMD-4,31/02/2026,,,\n"
    "lou@example.org,Lou,CMD-5,{d1},inconnu,,\n"
    "camille@example.org,Camille,CMD-1,{d1},,Baguette,fr\n"
)


def test_a_csv_file_creates_the_valid_lines_and_reports_the_others(brand, place, brand_owner):
    # given
    data = GOOD_CSV.format(
        d1=days_ago(1).isoformat(), d2=days_ago(5).strftime("%d/%m/%Y"), place=place.slug
    )
    # when
    rows = read_invitation_csv(data.encode())
    batch = create_invitations(
        brand=brand, actor=brand_owner, rows=rows, customers_only=True, source="csv"
    )
    # then: line numbers are the file's (header = line 1, the blank line 4 counts)
    assert [
        (i.email, i.order_reference, i.purchase_date, i.place, i.language) for i in batch.created
    ] == [
        ("camille@example.org", "CMD-1", days_ago(1), place, "fr"),
        ("alex@example.org", "CMD-2", days_ago(5), None, "en"),
    ]
    assert batch.duplicates == [8]
    assert [(e.number, e.problems[0][0]) for e in batch.errors] == [
        (5, "email"),
        (6, "purchase_date"),
        (7, "place"),
    ]
    assert "31/02/2026" in batch.errors[1].problems[0][1]
    assert Invitation.objects.count() == 2


def test_a_csv_file_from_a_french_spreadsheet_is_read(brand, brand_owner):
    # given: semicolons, a byte-order mark, Windows line ends and Windows-1252
    data = (
        "Email;Order reference;Purchase date;Name\r\n"
        f"zoe@example.org;CMD-9;{days_ago(2).strftime('%d/%m/%Y')};Zoé Lefèvre\r\n"
    ).encode("cp1252")
    # when
    rows = read_invitation_csv(data)
    # then
    assert rows == [
        InvitationRow(
            number=2,
            email="zoe@example.org",
            order_reference="CMD-9",
            purchase_date=days_ago(2),
            name="Zoé Lefèvre",
        )
    ]
    assert (
        read_invitation_csv(
            b"\xef\xbb\xbf" + b"email,order_reference,purchase_date\na@b.fr,1,2026-01-02\n"
        )[0].email
        == "a@b.fr"
    )


@pytest.mark.req("FTC-2")
@pytest.mark.parametrize(
    "column", ["satisfaction", "rating", "note", "NPS", "Would recommend", "happy_customer", "avis"]
)
def test_a_file_with_a_column_about_satisfaction_is_refused_whole(brand, brand_owner, column):
    # given
    data = f"email,order_reference,purchase_date,{column}\na@example.org,1,{days_ago(1)},5\n"
    # when
    with pytest.raises(ApplicationError) as refused:
        read_invitation_csv(data.encode())
    # then
    assert (refused.value.code, refused.value.field) == ("gating_column", "file")
    assert "satisfaction" in str(refused.value.message)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"email,order_reference,purchase_date\n", "empty_file"),
        (b"email,order_reference,city\na@b.fr,1,Paris\n", "unknown_column"),
        (b"email,purchase_date\na@b.fr,2026-01-01\n", "missing_column"),
        (b"email,email,order_reference,purchase_date\n", "missing_column"),
    ],
)
def test_a_malformed_file_is_refused_whole(data, code):
    with pytest.raises(ApplicationError) as refused:
        read_invitation_csv(data)
    assert refused.value.code == code


def test_a_file_too_large_or_too_long_is_refused(settings):
    settings.INVITATION_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ApplicationError) as refused:
        read_invitation_csv(
            b"email,order_reference,purchase_date\n" + b"a@b.fr,1,2026-01-01\n" * 10
        )
    assert refused.value.code == "file_too_large"
    settings.INVITATION_UPLOAD_MAX_BYTES = 10_000
    settings.INVITATION_UPLOAD_MAX_ROWS = 3
    with pytest.raises(ApplicationError) as refused:
        read_invitation_csv(b"email,order_reference,purchase_date\n" + b"a@b.fr,1,2026-01-01\n" * 4)
    assert refused.value.code == "too_many_rows"


def test_a_line_longer_than_the_header_is_refused(brand, brand_owner):
    rows = read_invitation_csv(
        f"email,order_reference,purchase_date\na@b.fr,1,{days_ago(1)},extra\n".encode()
    )
    batch = create_invitations(
        brand=brand, actor=brand_owner, rows=rows, customers_only=True, source="csv"
    )
    assert batch.created == []
    assert batch.errors[0].number == 2


# SENDING AND ONE REMINDER
# ------------------------------------------------------------------------------


@pytest.mark.req("ISO-COL-1")
def test_an_invitation_is_sent_after_the_delay_and_not_before(brand, brand_owner, settings):
    # given
    with time_machine.travel(START, tick=False):
        invitation = invite(brand, brand_owner, purchase_date=datetime.date(2026, 3, 1))
    assert invitation.send_after == START + settings.INVITATION_SEND_DELAY
    # when: the periodic task runs just before the delay
    with time_machine.travel(invitation.send_after - datetime.timedelta(minutes=1), tick=False):
        assert send_due_invitations_task.delay().get() == 0
    # then
    assert mail.outbox == []
    # when: and at the delay
    with time_machine.travel(invitation.send_after, tick=False):
        assert send_due_invitations_task.delay().get() == 1
    # then
    invitation.refresh_from_db()
    assert (invitation.status, invitation.sent_at) == (
        Invitation.Status.SENT,
        invitation.send_after,
    )
    assert [m.to for m in mail.outbox] == [["client@example.net"]]
    assert invitation_events(invitation)[-1] == ("invitation_sent", "scheduled", "sent")


@pytest.mark.req("ISO-COL-5")
def test_one_reminder_at_most(brand, brand_owner, settings):
    # given: sent at START
    with time_machine.travel(START - settings.INVITATION_SEND_DELAY, tick=False):
        invitation = invite(brand, brand_owner, purchase_date=datetime.date(2026, 2, 27))
    with time_machine.travel(START, tick=False):
        send_due_invitations_task.delay()
    reminder_at = START + settings.INVITATION_REMINDER_AFTER
    # when: just before the reminder delay
    with time_machine.travel(reminder_at - datetime.timedelta(minutes=1), tick=False):
        send_due_invitations_task.delay()
    assert len(mail.outbox) == 1
    # when: at the reminder delay, then much later
    for moment in (
        reminder_at,
        reminder_at + datetime.timedelta(days=7),
        reminder_at + datetime.timedelta(days=40),
    ):
        with time_machine.travel(moment, tick=False):
            send_due_invitations_task.delay()
    # then: one reminder, never a third email
    invitation.refresh_from_db()
    assert (invitation.status, invitation.reminded_at) == (Invitation.Status.REMINDED, reminder_at)
    assert len(mail.outbox) == 2
    assert "Reminder" in mail.outbox[1].subject or "Rappel" in mail.outbox[1].subject
    assert (
        mail.outbox[1].extra_headers["List-Unsubscribe"]
        == mail.outbox[0].extra_headers["List-Unsubscribe"]
    )
    assert [a for a, _f, _t in invitation_events(invitation)] == [
        "invitation_created",
        "invitation_sent",
        "invitation_reminded",
    ]


def test_no_reminder_once_the_link_has_expired(brand, brand_owner, settings):
    # given: sent, and the workers were down past the link's life
    with time_machine.travel(START - settings.INVITATION_SEND_DELAY, tick=False):
        invitation = invite(brand, brand_owner, purchase_date=datetime.date(2026, 2, 27))
    with time_machine.travel(START, tick=False):
        send_due_invitations_task.delay()
    # when
    with time_machine.travel(START + settings.INVITATION_LINK_MAX_AGE, tick=False):
        assert list_due_invitation_ids() == []
        assert send_invitation(invitation_id=invitation.pk) is None
    # then
    assert len(mail.outbox) == 1


@pytest.mark.req("ISO-COL-5")
@pytest.mark.parametrize("closing", ["opt_out", "cancel"])
def test_nothing_is_sent_after_an_opt_out_or_a_cancellation(brand, brand_owner, settings, closing):
    # given: one invitation sent, one not yet
    sent = sent_invitation(brand, brand_owner)
    waiting = invite(brand, brand_owner, order_reference="CMD-2")
    mail.outbox.clear()
    # when
    for invitation in (sent, waiting):
        if closing == "opt_out":
            opt_out_of_invitation(
                token=make_opt_out_token(invitation=invitation), whole_brand=False
            )
        else:
            cancel_invitation(brand=brand, invitation_id=invitation.pk, actor=brand_owner)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30), tick=False):
        assert list_due_invitation_ids() == []
        send_due_invitations_task.delay()
        assert send_invitation(invitation_id=sent.pk) is None
        assert send_invitation(invitation_id=waiting.pk) is None
    # then
    assert mail.outbox == []


def test_sending_twice_sends_one_email(brand, brand_owner):
    # given
    invitation = invite(brand, brand_owner)
    Invitation.objects.filter(pk=invitation.pk).update(send_after=timezone.now())
    # when: a redelivered task
    first = send_invitation(invitation_id=invitation.pk)
    second = send_invitation(invitation_id=invitation.pk)
    # then
    assert (first, second) == ("invitation", None)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_SENT).count() == 1
    assert send_invitation(invitation_id=999_999) is None


def test_a_failed_email_leaves_the_invitation_to_send(brand, brand_owner, monkeypatch):
    # given
    invitation = invite(brand, brand_owner)
    Invitation.objects.filter(pk=invitation.pk).update(send_after=timezone.now())

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    # when
    with pytest.raises(OSError, match="mail server down"):
        send_invitation(invitation_id=invitation.pk)
    # then: still scheduled, nothing recorded; the task's retry will send it
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SCHEDULED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_SENT).exists()


# THE EMAIL
# ------------------------------------------------------------------------------


@pytest.mark.req("ISO-COL-2")
@pytest.mark.req("ISO-COL-3")
def test_the_email_says_who_asks_about_what_where_and_how_the_review_appears(
    brand, place, brand_owner
):
    # given
    invitation = invite(
        brand,
        brand_owner,
        place=place.slug,
        name="Alex",
        language="en",
        purchase_date=datetime.date(2026, 3, 1),
    )
    # when
    with time_machine.travel(START, tick=False):
        send_now(invitation)
    # then
    message = mail.outbox[0]
    body = message.body
    assert message.subject == "Boulangerie Dupain asks for your review on Voix"
    assert message.to == ["client@example.net"]
    assert "Hello Alex," in body
    # who asks, on whose behalf (ISO-COL-2)
    assert (
        "Voix, the independent review platform that publishes the reviews, sends you this email"
        in body
    )
    assert "on behalf of Boulangerie Dupain" in body
    # about what (ISO-COL-2)
    assert "Order reference: CMD-1042" in body
    assert "Product or service: Baguette tradition" in body
    assert "Date: March 1, 2026" in body
    assert "Place: Dupain Bastille, Paris" in body
    # where and how it appears, and the terms (ISO-COL-3)
    assert "on the page of Boulangerie Dupain, under your public" in body
    assert "pseudonym only: never your name or your email address" in body
    assert f"http://127.0.0.1:8000/marques/{brand.slug}/" in body
    assert "checked against our code of conduct before publication" in body
    assert "http://127.0.0.1:8000/fonctionnement-des-avis/" in body
    assert "http://127.0.0.1:8000/charte/" in body
    # the link to write, and to decline without an account
    assert f"http://127.0.0.1:8000/avis/invitation/{invitation.token}/" in body
    assert "until May 1, 2026" in body  # sent March 2 + 60 days
    opt_out = f"http://127.0.0.1:8000/marques/invitations/desinscription/{make_opt_out_token(invitation=invitation)}/"
    assert opt_out in body
    assert message.extra_headers == {
        "List-Unsubscribe": f"<{opt_out}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_the_email_is_in_french_unless_the_brand_knows_better(brand, brand_owner):
    # given: no language given
    invitation = invite(brand, brand_owner, purchase_date=datetime.date(2026, 3, 1))
    # when
    with time_machine.travel(START, tick=False):
        send_now(invitation)
    # then: French dates (Django's own French locale)
    assert "1 mars 2026" in mail.outbox[0].body


# OPTING OUT, WITHOUT AN ACCOUNT
# ------------------------------------------------------------------------------


@pytest.mark.req("ISO-COL-5")
def test_the_opt_out_link_works_without_logging_in(client, brand, brand_owner):
    # given
    invitation = sent_invitation(brand, brand_owner)
    url = f"/marques/invitations/desinscription/{make_opt_out_token(invitation=invitation)}/"
    # when: a mail scanner follows the link
    page = client.get(url)
    # then: nothing happens on GET
    assert page.status_code == 200
    assert "Boulangerie Dupain" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    # when: the customer presses the button, keeping the brand-wide choice
    done = client.post(url, {"whole_brand": "on"})
    # then
    assert done.status_code == 200
    assert 'class="opt-out-done"' in done.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPTED_OUT
    assert invitation.opted_out_at is not None
    assert InvitationOptOut.objects.filter(
        brand=brand, email_hash=email_digest("client@example.net")
    ).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_OPTED_OUT)
    assert (event.actor, event.from_status, event.to_status, event.details) == (
        None,
        "sent",
        "opted_out",
        {"brand_id": brand.pk, "whole_brand": True},
    )


def test_a_brand_wide_opt_out_closes_the_other_invitations_and_refuses_new_ones(brand, brand_owner):
    # given: two invitations of one customer, and one of another brand
    first = sent_invitation(brand, brand_owner)
    second = invite(brand, brand_owner, order_reference="CMD-2", email="CLIENT@example.net")
    other_brand = BrandFactory()
    other_owner = MembershipFactory(brand=other_brand, role="owner").user
    elsewhere = invite(other_brand, other_owner)
    # when
    opt_out_of_invitation(token=make_opt_out_token(invitation=first), whole_brand=True)
    # then
    second.refresh_from_db()
    elsewhere.refresh_from_db()
    assert second.status == Invitation.Status.OPTED_OUT
    assert elsewhere.status == Invitation.Status.SCHEDULED
    assert invitation_events(second)[-1] == ("invitation_opted_out", "scheduled", "opted_out")
    with pytest.raises(ApplicationError) as refused:
        invite(brand, brand_owner, order_reference="CMD-3", email="client@example.net")
    assert "asked not to receive invitations" in str(refused.value.message)
    assert invite(other_brand, other_owner, order_reference="CMD-3").pk


def test_opting_out_twice_changes_nothing_the_second_time(brand, brand_owner):
    invitation = sent_invitation(brand, brand_owner)
    token = make_opt_out_token(invitation=invitation)
    opt_out_of_invitation(token=token, whole_brand=True)
    opt_out_of_invitation(token=token, whole_brand=True)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATION_OPTED_OUT).count() == 1
    assert InvitationOptOut.objects.count() == 1


def test_a_one_click_unsubscribe_from_a_mail_client_works(client, brand, brand_owner):
    # given
    invitation = sent_invitation(brand, brand_owner)
    client.handler.enforce_csrf_checks = True
    # when: RFC 8058 one-click POST, no cookie, no CSRF token
    response = client.post(
        f"/marques/invitations/desinscription/{make_opt_out_token(invitation=invitation)}/",
        {"List-Unsubscribe": "One-Click"},
    )
    # then
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPTED_OUT
    assert InvitationOptOut.objects.filter(brand=brand).count() == 1


def test_a_forged_opt_out_link_is_refused(client, brand, brand_owner):
    invitation = sent_invitation(brand, brand_owner)
    response = client.post(f"/marques/invitations/desinscription/{invitation.pk}:forged/")
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_opting_out_after_reviewing_only_stops_future_invitations(brand, brand_owner):
    # given: a used invitation
    invitation = sent_invitation(brand, brand_owner)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.REVIEWED)
    # when
    opt_out_of_invitation(token=make_opt_out_token(invitation=invitation), whole_brand=True)
    # then
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVIEWED
    assert invitation_events(invitation)[-1] == ("invitation_opted_out", "", "")


# CANCELLING
# ------------------------------------------------------------------------------


def test_a_manager_cancels_an_invitation_sent_by_mistake(brand, brand_owner):
    # given
    invitation = sent_invitation(brand, brand_owner)
    manager = MembershipFactory(brand=brand, role="manager").user
    # when
    cancel_invitation(brand=brand, invitation_id=invitation.pk, actor=manager)
    # then
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELLED
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_CANCELLED)
    assert (event.actor, event.from_status, event.to_status) == (manager, "sent", "cancelled")
    # and a second time
    with pytest.raises(ConflictError):
        cancel_invitation(brand=brand, invitation_id=invitation.pk, actor=manager)


def test_an_invitation_is_cancelled_only_by_its_brand(brand, brand_owner, brand_agent):
    invitation = invite(brand, brand_owner)
    other_owner = MembershipFactory(brand=BrandFactory(), role="owner").user
    with pytest.raises(PermissionDeniedError):
        cancel_invitation(brand=brand, invitation_id=invitation.pk, actor=brand_agent)
    with pytest.raises(PermissionDeniedError):
        cancel_invitation(brand=brand, invitation_id=invitation.pk, actor=other_owner)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SCHEDULED
