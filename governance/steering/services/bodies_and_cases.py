"""Bodies and cases: the bodies, their members' terms, and the cases waiting for them."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.clock import helsinki_today
from app.concurrency import lock, lock_sequence
from app.extensions import db
from app.models import User
from app.services import ServiceError
from governance.steering.models import (
    Body,
    Case,
    Membership,
    Role,
)


def body_by_code(code: str) -> Body | None:
    return db.session.scalar(sa.select(Body).where(Body.code == code))


def bodies() -> list[Body]:
    order = sa.case({"strategic": 0, "tactical": 1, "operational": 2, "forum": 3}, value=Body.level)
    return list(db.session.scalars(sa.select(Body).order_by(order, Body.code)))


def memberships_of(user: User) -> list[Membership]:
    return list(db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id)))


def membership_in(user, body: Body, day: date | None = None) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    day = day or helsinki_today()
    for membership in body.memberships:
        if membership.user_id == user.id and membership.active_on(day):
            return membership
    return None


def create_body(actor: User, code: str, name: str, level: str, parent: Body | None, mandate: list[str]) -> Body:
    code = code.strip().upper()
    if not re.fullmatch(r"[A-ZÅÄÖ0-9-]{1,12}", code):
        raise ServiceError(_("A code has letters, digits and hyphens only, for example T-03."))
    if body_by_code(code) is not None:
        raise ServiceError(_("A body with the code %(code)s already exists.", code=code))
    if level != "strategic" and parent is None:
        raise ServiceError(_("Choose the body that matters are referred up to."))
    body = Body(code=code, name=name.strip(), level=level, parent=parent, mandate=sorted(set(mandate)))
    db.session.add(body)
    audit.record(
        actor,
        "body.created",
        body,
        code=code,
        level=level,
        parent=parent.code if parent else None,
        mandate=body.mandate,
    )
    return body


def add_membership(
    actor: User,
    body: Body,
    user: User,
    role: Role,
    voting: bool,
    term_start: date,
    term_end: date | None = None,
    organisation_id: int | None = None,
    deputy_of: Membership | None = None,
) -> Membership:
    if role == Role.DEPUTY and deputy_of is None:
        raise ServiceError(_("Choose the member whose personal deputy this is."))
    if deputy_of is not None and deputy_of.body_id != body.id:
        raise ServiceError(_("A personal deputy stands in for a member of the same body."))
    lock(body)
    for seat in body.memberships:
        if (
            seat.user_id == user.id
            and seat.term_start <= (term_end or date.max)
            and (seat.term_end is None or term_start <= seat.term_end)
        ):
            raise ServiceError(
                _("%(name)s already has a seat in %(body)s for this term.", name=user.name, body=body.code)
            )
    membership = Membership(
        body=body,
        user=user,
        role=role.value,
        voting=voting,
        term_start=term_start,
        term_end=term_end,
        organisation_id=organisation_id,
        deputy_of=deputy_of,
    )
    db.session.add(membership)
    audit.record(actor, "body.member_added", membership, body=body.code, user_id=user.id, role=role.value)
    return membership


def end_membership(actor: User, membership: Membership, last_day: date) -> None:
    lock(membership)
    if last_day < membership.term_start:
        raise ServiceError(_("A term cannot end before it starts."))
    if membership.term_end is not None and membership.term_end <= last_day:
        raise ServiceError(_("This term has already ended."))
    membership.term_end = last_day
    audit.record(actor, "body.member_term_ended", membership, body=membership.body.code, last_day=last_day.isoformat())


def next_record_number(year: int) -> str:
    prefix = f"DIGI-{year}-"
    last = db.session.scalar(sa.select(sa.func.max(Case.record_number)).where(Case.record_number.like(f"{prefix}%")))
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def create_case(actor: User, body: Body, title: str, confidential: bool, legal_basis: str) -> Case:
    if confidential and not legal_basis.strip():
        raise ServiceError(_("A confidential case needs the legal basis of its confidentiality."))
    lock_sequence("case record numbers")
    case = Case(
        record_number=next_record_number(helsinki_today().year),
        title=title.strip(),
        confidential=confidential,
        legal_basis=legal_basis.strip(),
        awaiting_body=body,
        created_by_id=actor.id,
    )
    db.session.add(case)
    audit.record(actor, "case.created", case, record_number=case.record_number, body=body.code)
    return case


def cases_awaiting(body: Body) -> list[Case]:
    stmt = sa.select(Case).where(Case.awaiting_body_id == body.id, Case.closed.is_(False))
    return list(db.session.scalars(stmt.order_by(Case.id)))


def case_by_record(record: str) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.record_number == record))
