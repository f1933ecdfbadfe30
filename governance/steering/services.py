"""Steering: meetings, agendas, attendance, quorum, recusals, votes, decisions,
minutes and follow-up. Plain functions that add and flush, never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.clock import HELSINKI, helsinki_today
from app.concurrency import lock, lock_sequence
from app.extensions import db, utcnow
from app.i18n import when
from app.mail import queue_mail
from app.models import User
from app.services import ServiceError
from app.urls import external_url
from governance.steering.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Body,
    Case,
    Decision,
    Dissent,
    Meeting,
    MeetingStatus,
    Membership,
    Minutes,
    Recusal,
    Resolution,
    Role,
    Task,
    TaskNote,
    TaskStatus,
    VoteRound,
    decision_slug,
)

M = MeetingStatus


# --- bodies and cases ----------------------------------------------------------------------------


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


# --- meetings ---------------------------------------------------------------------------------------


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


def _require_status(meeting: Meeting, allowed: tuple[MeetingStatus, ...], message) -> None:
    if meeting.status not in {s.value for s in allowed}:
        raise ServiceError(str(message))


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


# --- votes ----------------------------------------------------------------------------------------------


def open_vote(
    actor: User, item: AgendaItem, counter_proposal: str, mover: Membership, seconder: Membership
) -> VoteRound:
    meeting = item.meeting
    lock(meeting)
    _require_status(meeting, (M.IN_SESSION,), _l("Votes are taken during the meeting."))
    if item.decision is not None:
        raise ServiceError(_("The item has already been decided."))
    if any(r.closed_at is None for r in item.vote_rounds):
        raise ServiceError(_("A vote on this item is already open."))
    eligible = {m.id for m in voters(meeting, item)}
    if mover.id == seconder.id:
        raise ServiceError(_("The seconder must be someone other than the mover."))
    if mover.id not in eligible or seconder.id not in eligible:
        raise ServiceError(_("The mover and the seconder must be present members who may vote on this item."))
    if not counter_proposal.strip():
        raise ServiceError(_("Write the counter-proposal."))
    vote = VoteRound(item=item, counter_proposal=counter_proposal.strip(), mover=mover, seconder=seconder)
    db.session.add(vote)
    audit.record(actor, "vote.opened", item, mover=mover.id, seconder=seconder.id)
    return vote


def cast_ballot(actor: User, vote: VoteRound, membership: Membership, choice: str) -> Ballot:
    lock(vote)
    if vote.closed_at is not None:
        raise ServiceError(_("The vote has been closed."))
    if choice not in ("proposal", "counter", "blank"):
        raise ServiceError(_("Vote for the proposal, the counter-proposal or blank."))
    item = vote.item
    if membership.id in {r.membership_id for r in item.recusals}:
        raise ServiceError(
            _("%(name)s has a conflict of interest and does not vote on this item.", name=membership.user.name)
        )
    if membership.id not in {m.id for m in voters(item.meeting, item)}:
        raise ServiceError(_("%(name)s is not present with a vote, so they cannot vote.", name=membership.user.name))
    if db.session.scalar(sa.select(Ballot.id).where(Ballot.round_id == vote.id, Ballot.membership_id == membership.id)):
        raise ServiceError(_("%(name)s has already voted.", name=membership.user.name))
    ballot = Ballot(round=vote, membership=membership, choice=choice)
    db.session.add(ballot)
    db.session.flush()  # the unique constraint settles two votes sent at the same moment
    audit.record(actor, "vote.ballot_cast", vote, membership_id=membership.id, choice=choice)
    return ballot


@dataclass(frozen=True)
class VoteResult:
    proposal: int
    counter: int
    blank: int
    winner: str  # "proposal" or "counter"
    by_chair: bool


def result(vote: VoteRound) -> VoteResult:
    counts = {"proposal": 0, "counter": 0, "blank": 0}
    chair_choice = None
    for ballot in vote.ballots:
        counts[ballot.choice] += 1
        if ballot.membership.role == Role.CHAIR:
            chair_choice = ballot.choice
    if counts["proposal"] != counts["counter"]:
        winner, by_chair = ("proposal" if counts["proposal"] > counts["counter"] else "counter"), False
    else:  # a tie is settled by the chair's vote; without it the proposal stands
        winner, by_chair = (chair_choice if chair_choice in ("proposal", "counter") else "proposal"), True
    return VoteResult(counts["proposal"], counts["counter"], counts["blank"], winner, by_chair)


def close_vote(actor: User, vote: VoteRound) -> VoteResult:
    lock(vote)
    if vote.closed_at is not None:
        raise ServiceError(_("The vote has already been closed."))
    if not vote.ballots:
        raise ServiceError(_("Record the votes before closing the vote."))
    vote.closed_at = utcnow()
    outcome = result(vote)
    audit.record(
        actor,
        "vote.closed",
        vote,
        proposal=outcome.proposal,
        counter=outcome.counter,
        blank=outcome.blank,
        winner=outcome.winner,
    )
    return outcome


# --- decisions ----------------------------------------------------------------------------------------------

PERSONAL_DATA_DAYS = 30


def decide(
    actor: User,
    item: AgendaItem,
    resolution: Resolution,
    text: str,
    delegated_to: Body | None = None,
    redacted_text: str = "",
    personal_data_hidden_from: date | None = None,
) -> Decision:
    lock(item.meeting)
    meeting = item.meeting
    body = meeting.body
    _require_status(meeting, (M.IN_SESSION,), _l("Decisions are made during the meeting."))
    if item.decision is not None:
        raise ServiceError(_("This item has already been decided."))
    if not quorum(meeting, item).quorate:
        raise ServiceError(
            _(
                "The meeting is not quorate for this item, so no decision can be made. More than "
                "half of the voting members must be present and not recused."
            )
        )
    if not body.may_decide(item.decision_kind) and resolution not in (Resolution.REFERRED_UP, Resolution.TABLED):
        raise ServiceError(
            _(
                "This decision is outside the mandate of %(body)s. Refer the case up to the body that may decide it.",
                body=body.code,
            )
        )
    if resolution == Resolution.REFERRED_UP and body.parent is None:
        raise ServiceError(_("%(body)s has no body above it to refer the case to.", body=body.code))
    if resolution == Resolution.DELEGATED_DOWN and (delegated_to is None or delegated_to.parent_id != body.id):
        raise ServiceError(_("Choose a body under %(body)s to delegate the case to.", body=body.code))
    closed_votes = [v for v in item.vote_rounds if v.closed_at is not None]
    if resolution == Resolution.APPROVED_AFTER_VOTE and not closed_votes:
        raise ServiceError(_("Hold and close the vote before recording a decision after a vote."))
    if any(v.closed_at is None for v in item.vote_rounds):
        raise ServiceError(_("Close the open vote first."))
    if not text.strip():
        raise ServiceError(_("Write the text of the decision."))
    referred_to = body.parent if resolution == Resolution.REFERRED_UP else delegated_to
    decision = Decision(
        item=item,
        case=item.case,
        body=body,
        reference=item.reference,
        slug=decision_slug(item.reference),
        title=item.case.title,
        kind=item.decision_kind,
        resolution=resolution.value,
        text=text.strip(),
        referred_to=referred_to,
        decided_on=meeting.starts_at.astimezone(HELSINKI).date(),
    )
    if redacted_text.strip():
        decision.redacted_text = redacted_text.strip()
        decision.personal_data_hidden_from = personal_data_hidden_from or (
            decision.decided_on + timedelta(days=PERSONAL_DATA_DAYS)
        )
    db.session.add(decision)
    case = item.case
    if resolution in (Resolution.REFERRED_UP, Resolution.DELEGATED_DOWN):
        case.awaiting_body = referred_to
    elif resolution == Resolution.TABLED:
        case.awaiting_body = body
    else:
        case.awaiting_body = None
        case.closed = True
    audit.record(
        actor,
        "decision.made",
        decision,
        reference=decision.reference,
        resolution=resolution.value,
        referred_to=referred_to.code if referred_to else None,
    )
    return decision


def add_dissent(actor: User, decision: Decision, membership: Membership, text: str) -> Dissent:
    lock(decision)
    if any(d.membership_id == membership.id for d in decision.dissents):
        raise ServiceError(
            _("%(name)s has already left a dissenting opinion on this decision.", name=membership.user.name)
        )
    if decision.item.meeting.locked:
        raise ServiceError(_("The minutes are approved; dissents can no longer be added."))
    if membership.id not in {a.membership_id for a in decision.item.meeting.attendances if a.present}:
        raise ServiceError(_("Only members present at the meeting can leave a dissenting opinion."))
    if not text.strip():
        raise ServiceError(_("Write the dissenting opinion."))
    dissent = Dissent(decision=decision, membership=membership, text=text.strip())
    db.session.add(dissent)
    audit.record(actor, "decision.dissent_added", decision, membership_id=membership.id)
    return dissent


def close_meeting(actor: User, meeting: Meeting) -> None:
    lock(meeting)
    _require_status(meeting, (M.IN_SESSION,), _l("Only a meeting in session can be closed."))
    undecided = [i for i in meeting.items if i.decision is None]
    if undecided:
        raise ServiceError(
            _(
                "Decide every item before closing the meeting (table an item to handle it later). "
                "Undecided: %(items)s.",
                items=", ".join(f"§ {i.section}" for i in undecided),
            )
        )
    meeting.status = M.HELD.value
    audit.record(actor, "meeting.closed", meeting)


def record_inquorate(actor: User, meeting: Meeting) -> list[AgendaItem]:
    """A meeting that never became quorate ends without decisions: it is recorded as inquorate and its
    undecided items move to the body's next meeting whose agenda is still open (or, without one,
    their cases wait for the body again). Returns the items added to the next meeting."""
    lock(meeting)
    _require_status(meeting, (M.IN_SESSION,), _l("Only a meeting in session can be recorded as inquorate."))
    if quorum(meeting).quorate:
        raise ServiceError(_("The meeting is quorate: decide the items, or table them to handle them later."))
    undecided = [i for i in meeting.items if i.decision is None]
    later = db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.body_id == meeting.body_id,
            Meeting.starts_at > meeting.starts_at,
            Meeting.status.in_([M.PLANNED.value, M.AGENDA_PUBLISHED.value]),
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )
    moved: list[AgendaItem] = []
    if later is not None:
        lock(later)
    section = (
        (db.session.scalar(sa.select(sa.func.max(AgendaItem.section)).where(AgendaItem.meeting_id == later.id)) or 0)
        if later is not None
        else 0
    )
    for item in undecided:
        if later is not None:
            section += 1
            moved.append(
                AgendaItem(
                    meeting=later,
                    case=item.case,
                    section=section,
                    decision_kind=item.decision_kind,
                    proposal=item.proposal,
                    presenter=item.presenter,
                )
            )
            db.session.add(moved[-1])
            item.case.awaiting_body = None
        else:
            item.case.awaiting_body = meeting.body
    meeting.status = M.HELD.value
    meeting.inquorate = True
    q = quorum(meeting)
    audit.record(
        actor,
        "meeting.inquorate",
        meeting,
        present=q.present,
        seats=q.seats,
        moved_to=later.reference if later is not None else None,
        items=[i.case.record_number for i in undecided],
    )
    return moved


def decisions_effective_query():
    return (
        sa.select(Decision)
        .join(AgendaItem, Decision.item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.status == M.MINUTES_APPROVED.value)
    )


# --- minutes --------------------------------------------------------------------------------------------------


def generate_minutes_text(meeting: Meeting, public: bool = False) -> str:
    """The minutes drafted from the meeting's records; `public` gives the version for everyone."""
    from flask import render_template

    return (
        render_template(
            "steering/minutes.md", meeting=meeting, quorum=quorum(meeting), voters=voters, result=result, public=public
        ).strip()
        + "\n"
    )


def create_minutes(actor: User, meeting: Meeting) -> Minutes:
    lock(meeting)
    _require_status(meeting, (M.HELD,), _l("Minutes are written after the meeting has been held."))
    if meeting.minutes:
        raise ServiceError(_("The minutes already exist."))
    minutes = Minutes(
        meeting=meeting,
        version=1,
        body=generate_minutes_text(meeting),
        public_body=generate_minutes_text(meeting, public=True),
        created_by_id=actor.id,
    )
    db.session.add(minutes)
    audit.record(actor, "minutes.created", minutes, meeting=meeting.reference)
    return minutes


def edit_minutes(actor: User, minutes: Minutes, body: str, public_body: str) -> None:
    lock(minutes)
    if minutes.meeting.locked or minutes.approved or minutes.chair_signed_at or minutes.secretary_signed_at:
        raise ServiceError(_("The minutes have been approved and are locked. Make a correction instead."))
    changed = [
        name
        for name, old, new in (("body", minutes.body, body), ("public_body", minutes.public_body, public_body))
        if old != new
    ]
    if not changed:
        return  # saved twice, or nothing changed: nothing to record
    minutes.body, minutes.public_body = body, public_body
    audit.record(actor, "minutes.edited", minutes, changed=changed)


def set_checkers(actor: User, meeting: Meeting, first: User, second: User) -> None:
    lock(meeting)
    present_users = {a.membership.user_id for a in meeting.attendances if a.present}
    if first.id == second.id:
        raise ServiceError(_("Choose two different minute-checkers."))
    if first.id not in present_users or second.id not in present_users:
        raise ServiceError(_("Minute-checkers are chosen from those present at the meeting."))
    if meeting.current_minutes is not None and meeting.current_minutes.approved:
        raise ServiceError(_("These minutes have already been approved."))
    if (meeting.checker1_id, meeting.checker2_id) == (first.id, second.id):
        return  # already chosen: nothing changes
    meeting.checker1, meeting.checker2 = first, second
    audit.record(actor, "minutes.checkers_set", meeting, checkers=[first.id, second.id])


def approve_as_checker(user: User, minutes: Minutes) -> None:
    lock(minutes)
    meeting = minutes.meeting
    if user.id not in (meeting.checker1_id, meeting.checker2_id):
        raise ServiceError(_("Only the minute-checkers of this meeting approve its minutes."))
    field = "checker1_approved_at" if user.id == meeting.checker1_id else "checker2_approved_at"
    if getattr(minutes, field) is not None:
        raise ServiceError(_("You have already approved these minutes."))
    setattr(minutes, field, utcnow())
    audit.record(user, "minutes.checked", minutes, checker=user.id)


def approve_by_meeting(actor: User, minutes: Minutes, later: Meeting) -> None:
    lock(minutes)
    meeting = minutes.meeting
    if minutes.approved:
        raise ServiceError(_("These minutes have already been approved."))
    if later.body_id != meeting.body_id or later.starts_at <= meeting.starts_at or later.status != M.IN_SESSION:
        raise ServiceError(_("Minutes are approved by a later meeting of the same body, while it is in session."))
    minutes.approved_by_meeting = later
    audit.record(actor, "minutes.approved_by_meeting", minutes, by=later.reference)


def sign(user: User, minutes: Minutes, as_role: Role) -> None:
    lock(minutes.meeting, minutes)
    meeting = minutes.meeting
    if not minutes.approved:
        raise ServiceError(_("The minutes are signed after they have been approved."))
    membership = next((m for m in meeting.body.memberships if m.user_id == user.id and m.role == as_role), None)
    if membership is None:
        raise ServiceError(_("Only the chair and the secretary of the body sign the minutes."))
    if as_role == Role.CHAIR:
        if minutes.chair_signed_at:
            raise ServiceError(_("The chair has already signed these minutes."))
        minutes.chair_signed_by, minutes.chair_signed_at = user, utcnow()
    else:
        if minutes.secretary_signed_at:
            raise ServiceError(_("The secretary has already signed these minutes."))
        minutes.secretary_signed_by, minutes.secretary_signed_at = user, utcnow()
    audit.record(user, "minutes.signed", minutes, role=as_role.value)
    if minutes.signed and meeting.status != M.MINUTES_APPROVED:
        meeting.status = M.MINUTES_APPROVED.value
        for item in meeting.items:
            if item.decision is not None:
                item.decision.effective_at = utcnow()
        audit.record(
            user,
            "meeting.minutes_approved",
            meeting,
            decisions=[i.decision.reference for i in meeting.items if i.decision],
        )


def correct_minutes(actor: User, meeting: Meeting, body: str, public_body: str, note: str) -> Minutes:
    lock(meeting)
    if not meeting.locked:
        raise ServiceError(_("Until the minutes are approved, edit them directly."))
    if not note.strip():
        raise ServiceError(_("Explain the correction in a note."))
    current = meeting.current_minutes
    if (current.body, current.public_body) == (body, public_body):
        raise ServiceError(_("The correction changes nothing in the minutes."))
    correction = Minutes(
        meeting=meeting,
        version=current.version + 1,
        body=body,
        public_body=public_body,
        note=note.strip(),
        created_by_id=actor.id,
        checker1_approved_at=current.checker1_approved_at,
        checker2_approved_at=current.checker2_approved_at,
        approved_by_meeting_id=current.approved_by_meeting_id,
        chair_signed_by_id=current.chair_signed_by_id,
        chair_signed_at=current.chair_signed_at,
        secretary_signed_by_id=current.secretary_signed_by_id,
        secretary_signed_at=current.secretary_signed_at,
    )
    db.session.add(correction)
    audit.record(
        actor,
        "minutes.corrected",
        correction,
        meeting=meeting.reference,
        version=correction.version,
        note=correction.note,
    )
    return correction


# --- follow-up ---------------------------------------------------------------------------------------------------


def add_task(
    actor: User, decision: Decision, description: str, due_on: date, owner_body: Body | None, owner_user: User | None
) -> Task:
    if owner_body is None and owner_user is None:
        raise ServiceError(_("Name who is responsible: a body or a person."))
    task = Task(
        decision=decision, description=description.strip(), due_on=due_on, owner_body=owner_body, owner_user=owner_user
    )
    db.session.add(task)
    audit.record(actor, "task.created", task, decision=decision.reference, due_on=due_on.isoformat())
    return task


def update_task(actor: User, task: Task, status: TaskStatus, note: str) -> None:
    lock(task)
    old = task.status
    if old == status.value and not note.strip():
        return  # nothing changes
    task.status = status.value
    if note.strip():
        db.session.add(TaskNote(task=task, user=actor, text=note.strip()))
    audit.record(actor, "task.updated", task, old=old, new=status.value, note=note.strip())


def overdue_tasks(body: Body, today: date | None = None) -> list[Task]:
    today = today or helsinki_today()
    stmt = (
        sa.select(Task)
        .join(Decision, Task.decision_id == Decision.id)
        .where(
            sa.or_(Task.owner_body_id == body.id, sa.and_(Task.owner_body_id.is_(None), Decision.body_id == body.id)),
            Task.status.in_([TaskStatus.NOT_STARTED.value, TaskStatus.IN_PROGRESS.value]),
            Task.due_on < today,
        )
        .order_by(Task.due_on)
    )
    return list(db.session.scalars(stmt))


def decisions_for_kind(kinds: tuple[str, ...]) -> list[Decision]:
    """Effective decisions of the given kinds, newest first (for linking rules adoption or provider status)."""
    stmt = decisions_effective_query().where(
        Decision.kind.in_(kinds),
        Decision.resolution.in_(
            [Resolution.APPROVED.value, Resolution.APPROVED_AMENDED.value, Resolution.APPROVED_AFTER_VOTE.value]
        ),
    )
    return list(db.session.scalars(stmt.order_by(Decision.id.desc())))
