"""Meetings: numbering, the agenda, the session, attendance, quorum and conflicts of interest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.clock import HELSINKI, helsinki_today
from app.concurrency import lock
from app.extensions import db, utcnow
from app.i18n import when
from app.mail import queue_mail
from app.models import User
from app.services import ServiceError
from app.urls import external_url
from governance.steering.models import (
    AgendaItem,
    Attendance,
    Body,
    Case,
    Meeting,
    Membership,
    Recusal,
)
from governance.steering.services._common import M, _require_status


def next_meeting_number(body: Body, year: int) -> int:
    last = db.session.scalar(
        sa.select(sa.func.max(Meeting.number)).where(Meeting.body_id == body.id, Meeting.year == year)
    )
    return (last or 0) + 1


def create_meeting(actor: User, body: Body, number: int, starts_at: datetime, place: str, remote_link: str) -> Meeting:
    year = starts_at.astimezone(HELSINKI).year
    lock(body)
    clash = db.session.scalar(
        sa.select(Meeting.id).where(Meeting.body_id == body.id, Meeting.year == year, Meeting.number == number)
    )
    if clash:
        raise ServiceError(
            _(
                "Meeting %(ref)s already exists. The next free number is %(n)d.",
                ref=f"{body.code} {number}/{year}",
                n=next_meeting_number(body, year),
            )
        )
    meeting = Meeting(
        body=body, year=year, number=number, starts_at=starts_at, place=place.strip(), remote_link=remote_link.strip()
    )
    db.session.add(meeting)
    audit.record(actor, "meeting.created", meeting, reference=f"{body.code} {number}/{year}")
    return meeting


def add_item(actor: User, meeting: Meeting, case: Case, kind: str, proposal: str, presenter: User | None) -> AgendaItem:
    lock(meeting, case)
    _require_status(
        meeting, (M.PLANNED, M.AGENDA_PUBLISHED), _l("Items are added to the agenda before the meeting starts.")
    )
    if case.awaiting_body_id != meeting.body_id or case.closed:
        raise ServiceError(
            _(
                "Case %(record)s is not waiting for %(body)s: it may already be on an agenda.",
                record=case.record_number,
                body=meeting.body.code,
            )
        )
    section = (
        db.session.scalar(sa.select(sa.func.max(AgendaItem.section)).where(AgendaItem.meeting_id == meeting.id)) or 0
    ) + 1
    item = AgendaItem(
        meeting=meeting, case=case, section=section, decision_kind=kind, proposal=proposal, presenter=presenter
    )
    db.session.add(item)
    case.awaiting_body = None
    audit.record(actor, "agenda.item_added", item, meeting=meeting.reference, case=case.record_number, section=section)
    return item


def update_item(
    actor: User, item: AgendaItem, expected_version: int, proposal: str, kind: str, presenter: User | None
) -> None:
    """Optimistic locking: the form carries the version it was built from."""
    lock(item.meeting)
    if item.decision is not None or item.meeting.locked:
        raise ServiceError(_("The item has been decided and can no longer be edited."))
    if item.version != expected_version:
        raise ServiceError(
            _(
                "Someone else saved this item while you were editing it. Your text is kept below: "
                "compare it with the saved version and save again."
            )
        )
    item.proposal, item.decision_kind, item.presenter = proposal, kind, presenter
    audit.record(actor, "agenda.item_updated", item, version=expected_version + 1)


def publish_agenda(actor: User, meeting: Meeting) -> None:
    lock(meeting)
    _require_status(meeting, (M.PLANNED,), _l("The agenda has already been published."))
    if not meeting.items:
        raise ServiceError(_("Add at least one item before publishing the agenda."))
    meeting.status = M.AGENDA_PUBLISHED.value
    meeting.agenda_published_at = utcnow()
    audit.record(actor, "meeting.agenda_published", meeting)
    link = external_url("steering.meeting", meeting_id=meeting.id)
    for membership in meeting.body.memberships:
        if membership.active_on(meeting.starts_at.astimezone(HELSINKI).date()):
            queue_mail(
                membership.user.email,
                _l("Agenda published: %(ref)s", ref=meeting.reference),
                "agenda",
                membership.user.locale,
                meeting=meeting,
                link=link,
            )


def start_session(actor: User, meeting: Meeting, today: date | None = None) -> None:
    lock(meeting)
    _require_status(meeting, (M.AGENDA_PUBLISHED,), _l("Publish the agenda before the meeting starts."))
    day = meeting.starts_at.astimezone(HELSINKI).date()
    if (today or helsinki_today()) < day:
        raise ServiceError(
            _(
                "The meeting is on %(date)s: it can be started on that day, not before. Move the "
                "meeting if it is held earlier.",
                date=when(day),
            )
        )
    meeting.status = M.IN_SESSION.value
    existing = {a.membership_id for a in meeting.attendances}
    for membership in active_memberships(meeting):
        if membership.id not in existing:
            db.session.add(Attendance(meeting=meeting, membership=membership, present=False))
    audit.record(actor, "meeting.started", meeting)


def active_memberships(meeting: Meeting) -> list[Membership]:
    day = meeting.starts_at.astimezone(HELSINKI).date()
    return [m for m in meeting.body.memberships if m.active_on(day)]


def record_attendance(actor: User, meeting: Meeting, present: set[int], stand_ins: dict[int, int]) -> None:
    lock(meeting)
    _require_status(meeting, (M.IN_SESSION,), _l("Attendance is recorded during the meeting."))
    by_id = {m.id: m for m in active_memberships(meeting)}
    for deputy_id, principal_id in stand_ins.items():
        deputy, principal = by_id.get(deputy_id), by_id.get(principal_id)
        if deputy is None or principal is None or deputy.deputy_of_id != principal.id:
            raise ServiceError(_("A deputy can stand in only for the member whose personal deputy they are."))
        if principal_id in present:
            raise ServiceError(
                _("%(name)s is present, so their deputy cannot stand in for them.", name=principal.user.name)
            )
        if deputy_id not in present:
            raise ServiceError(_("Mark %(name)s present to let them stand in.", name=deputy.user.name))
    if all(
        a.present == (a.membership_id in present) and a.standing_in_for_id == stand_ins.get(a.membership_id)
        for a in meeting.attendances
    ):
        return  # recorded again as it was: nothing changes
    for attendance in meeting.attendances:
        attendance.present = attendance.membership_id in present
        attendance.standing_in_for_id = stand_ins.get(attendance.membership_id)
    audit.record(
        actor,
        "meeting.attendance_recorded",
        meeting,
        present=sorted(present),
        stand_ins={str(k): v for k, v in stand_ins.items()},
    )


@dataclass(frozen=True)
class Quorum:
    present: int
    seats: int
    recused: int

    @property
    def quorate(self) -> bool:
        return self.present * 2 > self.seats

    @property
    def needed(self) -> int:
        return self.seats // 2 + 1


def voters(meeting: Meeting, item: AgendaItem | None = None) -> list[Membership]:
    """Who votes: present holders of voting seats, and deputies standing in for absent ones,
    less anyone recused from the item."""
    recused = {r.membership_id for r in item.recusals} if item is not None else set()
    result = []
    for attendance in meeting.attendances:
        if not attendance.present or attendance.membership_id in recused:
            continue
        membership = attendance.membership
        if membership.is_voting_seat or (
            attendance.standing_in_for is not None and attendance.standing_in_for.is_voting_seat
        ):
            result.append(membership)
    return result


def quorum(meeting: Meeting, item: AgendaItem | None = None) -> Quorum:
    seats = sum(1 for m in active_memberships(meeting) if m.is_voting_seat)
    recused = len(item.recusals) if item is not None else 0
    return Quorum(present=len(voters(meeting, item)), seats=seats, recused=recused)


def declare_conflict(actor: User, item: AgendaItem, membership: Membership, reason: str) -> Recusal:
    lock(item.meeting)
    if item.decision is not None:
        raise ServiceError(_("The item has been decided; a conflict of interest is declared before the decision."))
    if not reason.strip():
        raise ServiceError(_("Give the reason for the conflict of interest."))
    if any(r.membership_id == membership.id for r in item.recusals):
        raise ServiceError(
            _("%(name)s has already declared a conflict of interest on this item.", name=membership.user.name)
        )
    recusal = Recusal(item=item, membership=membership, reason=reason.strip())
    db.session.add(recusal)
    audit.record(actor, "agenda.conflict_declared", item, membership_id=membership.id, reason=recusal.reason)
    return recusal
