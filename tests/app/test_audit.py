import itertools

import pytest
import sqlalchemy as sa

from app import audit
from app.audit import AuditEvent, AuditImmutableError
from app.extensions import db
from tests import factories, figures
from tests.audit_guard import guard_lifted


def test_state_changes_are_audited_in_the_same_transaction(people, login_as):
    client = login_as("municipality_admin")
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    client.post_form(f"/organisation/members/{people['buyer'].id}/role", {"role": "approver"}, page="/organisation")
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) > before
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "user.role_changed",
        people["municipality_admin"].id,
        "users",
        str(people["buyer"].id),
    )
    assert event.data == {"organisation_id": people["municipality"].id, "old": "buyer", "new": "approver"}


def test_failed_change_leaves_no_event(people, login_as):
    client = login_as("municipality_admin")
    me = people["municipality_admin"]
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    client.post_form(f"/organisation/members/{me.id}/role", {"role": "member"}, page="/organisation")  # last admin
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert "user.role_changed" not in actions
    assert len(actions) == before  # the refused change wrote nothing
    assert db.session.get(type(me), me.id).org_role == "admin"


def test_events_form_a_chain_that_verifies(app, runner):
    events = [factories.AuditEventFactory(data={"n": i, "text": 'ääkköset ja "lainaus"'}) for i in range(5)]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "OK: 5 events" in result.output


def test_tampered_row_is_found(app, runner):
    events = [factories.AuditEventFactory(data={"amount": i}) for i in range(4)]
    with guard_lifted():  # a forger with direct access to the database
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[2].id).values(data={"amount": 1000}))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {events[2].id}" in result.output
    assert "2 events before it are intact" in result.output


def test_deleted_row_is_found(app, runner):
    events = [factories.AuditEventFactory() for _ in range(4)]
    with guard_lifted():
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == events[1].id))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {events[2].id}" in result.output


def test_rehashed_row_still_breaks_the_next_link(app, runner):
    events = [factories.AuditEventFactory() for _ in range(3)]
    forged = db.session.get(AuditEvent, events[0].id)
    data = {"forged": True}
    new_hash = audit.compute_hash(
        prev_hash=forged.prev_hash,
        created_at=forged.created_at,
        actor_id=forged.actor_id,
        actor_label=forged.actor_label,
        action=forged.action,
        object_type=forged.object_type,
        object_id=forged.object_id,
        data=data,
    )
    with guard_lifted():
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == forged.id).values(data=data, hash=new_hash))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {events[1].id}" in result.output


def test_inserted_row_is_found(app, runner):
    """A forged event slipped in between two real ones: the next real event no longer fits."""
    first, second, third = (factories.AuditEventFactory(id=event_id) for event_id in (10, 20, 30))
    forged = AuditEvent(
        id=15,
        created_at=first.created_at,
        actor_id=None,
        actor_label="system",
        action="procurement.approved",
        object_type="procurement_requests",
        object_id="1",
        data={},
        prev_hash=first.hash,
    )
    forged.hash = forged.compute_hash()
    with guard_lifted():
        # The forger must also re-point the next event, or the unique prev_hash refuses the insert.
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == second.id).values(prev_hash=forged.hash))
        db.session.add(forged)
        db.session.flush()
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {second.id}" in result.output
    assert third.id > second.id
    figures.note(
        "audit",
        "tampering found by flask audit verify",
        "an edited, a deleted, an inserted and a rehashed event: each reported at the first event that no longer fits",
    )


@pytest.mark.parametrize("change", ["orm update", "orm delete", "sql update", "sql delete"])
def test_audit_rows_cannot_be_changed_through_the_app(app, runner, change):
    """Neither the ORM nor a plain SQL statement sent by the app can edit or remove an event."""
    event = factories.AuditEventFactory(data={"amount": 1})
    event_id, original_hash = event.id, event.hash
    if change == "orm update":
        event.data = {"amount": 1000}
        with pytest.raises(AuditImmutableError):
            db.session.flush()
    elif change == "orm delete":
        db.session.delete(event)
        with pytest.raises(AuditImmutableError):
            db.session.flush()
    else:
        statement = (
            sa.update(AuditEvent).values(data={"amount": 1000}) if change == "sql update" else sa.delete(AuditEvent)
        ).where(AuditEvent.id == event_id)
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(statement)
    db.session.rollback()
    kept = db.session.get(AuditEvent, event_id)
    assert kept is not None and kept.data == {"amount": 1} and kept.hash == original_hash
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    figures.count("audit", "changes refused (ORM and SQL, update and delete)")


def test_audit_page_filters_and_paginates(app, people, login_as):
    app.config["AUDIT_PAGE_SIZE"] = 5
    for i in range(12):
        factories.AuditEventFactory(action="test.bulk", data={"i": i})
    factories.AuditEventFactory(action="rules.special", obj=("rules_versions", "7"))
    client = login_as("coordinator")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "rules.special" in page
    assert "page=2" in page
    filtered = client.get("/admin/audit?action=rules.").get_data(as_text=True)
    assert "rules.special" in filtered and "test.bulk" not in filtered
    by_type = client.get("/admin/audit?object_type=rules_versions").get_data(as_text=True)
    assert "rules.special" in by_type and "test.bulk" not in by_type
    by_actor = client.get("/admin/audit?actor=coord@example.com").get_data(as_text=True)
    assert "user.logged_in" in by_actor and "test.bulk" not in by_actor
    second = client.get("/admin/audit?action=test.bulk&page=3").get_data(as_text=True)
    assert second.count("test.bulk") >= 2


def test_audit_page_is_for_coordinators_only(people, login_as):
    assert login_as("municipality_admin").get("/admin/audit").status_code == 403
    assert login_as(None).get("/admin/audit").status_code == 302
