"""The audit trail: an append-only, hash-chained record of every state change.

Each event stores the hash of the one before it, so removing, reordering or
editing a row breaks the chain, and `flask audit verify` finds the first
broken link. A unique constraint on ``prev_hash`` keeps the chain from forking
when two transactions append at once; on PostgreSQL a transaction-scoped
advisory lock serialises appends so that neither has to fail.

Rows cannot be changed through the app: the ORM refuses to update or delete an
event, and triggers in the database (created with the table and by migration
d41e7a9c0b12) refuse UPDATE and DELETE statements from any code. Whoever
bypasses both with direct access to the database still breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, utcnow
from app.models import User

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x0D161A0D  # an arbitrary constant shared by all writers


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_id: Mapped[str | None] = mapped_column(sa.String(80))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    actor: Mapped[User | None] = relationship()

    def compute_hash(self) -> str:
        return compute_hash(
            prev_hash=self.prev_hash,
            created_at=self.created_at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            data=self.data,
        )


class AuditImmutableError(Exception):
    """Raised when code tries to change or remove an audit event."""


@sa.event.listens_for(AuditEvent, "before_update")
def _event_never_changes(mapper, connection, target) -> None:
    raise AuditImmutableError("an audit event cannot be changed")


@sa.event.listens_for(AuditEvent, "before_delete")
def _event_never_deleted(mapper, connection, target) -> None:
    raise AuditImmutableError("an audit event cannot be deleted")


# The database's own guard: UPDATE and DELETE on audit_events fail, whoever sends them.
# (TRUNCATE, a table owner's operation, is not a row change and is not refused.)
APPEND_ONLY_MESSAGE = "audit_events is append-only"
APPEND_ONLY_GUARD = {
    "sqlite": [
        f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
        f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
}
APPEND_ONLY_GUARD_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
        "DROP FUNCTION IF EXISTS audit_events_append_only()",
    ],
}
for _dialect, _statements in APPEND_ONLY_GUARD.items():
    for _statement in _statements:
        sa.event.listen(AuditEvent.__table__, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))
sa.event.listen(
    AuditEvent.__table__, "after_drop", sa.DDL(APPEND_ONLY_GUARD_DROP["postgresql"][1]).execute_if(dialect="postgresql")
)


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(
    *,
    prev_hash: str,
    created_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str | None,
    data: dict[str, Any] | None,
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            _canonical_time(created_at),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            data or {},
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so that what is hashed is exactly what is stored."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


def object_ref(obj: Any) -> tuple[str, str | None]:
    """The (type, id) by which an event names its object."""
    if obj is None:
        return "system", None
    if isinstance(obj, tuple):
        return str(obj[0]), None if obj[1] is None else str(obj[1])
    table = getattr(obj, "__tablename__", type(obj).__name__.lower())
    ident = getattr(obj, "id", None)
    return table, None if ident is None else str(ident)


def record(actor: User | None, action: str, obj: Any = None, **data: Any) -> AuditEvent:
    """Append an event in the current transaction (added and flushed, not committed).

    ``obj`` is a model instance (flushed first so it has an id), a
    ``(type, id)`` tuple, or None for system-wide events.
    """
    session = db.session
    if obj is not None and not isinstance(obj, tuple):
        session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
    last_hash = session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    object_type, object_id = object_ref(obj)
    event = AuditEvent(
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=_jsonable(data),
        prev_hash=last_hash or GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk the chain in order and report the first event that does not fit."""
    expected_prev = GENESIS_HASH
    checked = 0
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    for event in db.session.scalars(stmt):
        if event.prev_hash != expected_prev:
            return ChainReport(False, checked, event.id, "previous hash does not match")
        if event.compute_hash() != event.hash:
            return ChainReport(False, checked, event.id, "content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return ChainReport(True, checked)
