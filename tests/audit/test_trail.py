import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from audit.services import compute_event_hash, record_event
from tests.factories import BrandFactory


def _record(target, action=AuditEvent.Action.BRAND_CREATED, **kwargs):
    with transaction.atomic():
        return record_event(actor=None, action=action, target=target, **kwargs)


def test_events_chain_each_hash_onto_the_previous_one(db):
    # given
    brand = BrandFactory()
    # when
    first = _record(brand, details={"name": brand.name})
    second = _record(brand, action=AuditEvent.Action.PLACE_CREATED)
    # then
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert first.hash == compute_event_hash(first)
    assert (second.object_type, second.object_id) == ("brands.brand", str(brand.pk))


def test_record_event_refuses_to_run_outside_a_transaction(transactional_db):
    # given
    brand = BrandFactory()
    # when / then
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        record_event(actor=None, action=AuditEvent.Action.BRAND_CREATED, target=brand)
    assert AuditEvent.objects.count() == 0


def test_stored_event_hashes_the_same_after_reload(db):
    # given: details with non-ASCII text, numbers and nesting
    brand = BrandFactory()
    event = _record(brand, details={"nom": "Crêperie « Éole »", "n": 3, "l": [1, {"a": None}]})
    # when
    reloaded = AuditEvent.objects.get(pk=event.pk)
    # then
    assert compute_event_hash(reloaded) == event.hash


def test_verify_audit_trail_passes_on_an_intact_chain(db, capsys):
    # given
    brand = BrandFactory()
    for _ in range(3):
        _record(brand)
    # when
    call_command("verify_audit_trail")
    # then
    assert "3 events verified" in capsys.readouterr().out


def _tamper(sql: str, params: list) -> None:
    """Rewrite a row behind the application's back (on PostgreSQL, past the trigger)."""
    with pgtrigger.ignore("audit.AuditEvent:append_only"), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.req("NF-MOD-5")
def test_verify_audit_trail_names_the_first_tampered_event(db):
    # given: a chain of three events, the middle one's details rewritten afterwards
    brand = BrandFactory()
    events = [_record(brand, details={"n": n}) for n in range(3)]
    with transaction.atomic():
        _tamper(
            "UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"n": 99}', events[1].pk]
        )
    # when / then
    with pytest.raises(CommandError, match=f"broken at event #{events[1].pk}: hash does not match"):
        call_command("verify_audit_trail")


def test_verify_audit_trail_detects_a_deleted_event(db):
    # given
    brand = BrandFactory()
    events = [_record(brand) for _ in range(3)]
    with transaction.atomic():
        _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    # when / then
    with pytest.raises(CommandError, match=f"broken at event #{events[2].pk}: prev_hash"):
        call_command("verify_audit_trail")


def test_two_events_can_never_chain_onto_the_same_predecessor(db):
    # given
    brand = BrandFactory()
    first = _record(brand)
    # when: a forged second child of the first event
    forged = AuditEvent(
        action=AuditEvent.Action.BRAND_CREATED,
        object_type="brands.brand",
        object_id="1",
        created_at=first.created_at,
        prev_hash="",
        hash="x" * 64,
    )
    # then
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET rule_code = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_postgres_trigger_refuses_update_and_delete(db, statement):
    # given
    event = _record(BrandFactory())
    # when / then
    with (
        pytest.raises(Exception, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).rule_code == ""
