"""Decisions: deciding an item, dissents, closing a meeting and recording an inquorate one."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.clock import HELSINKI
from app.concurrency import lock
from app.extensions import db
from app.models import User
from app.services import ServiceError
from governance.steering.models import (
    AgendaItem,
    Body,
    Decision,
    Dissent,
    Meeting,
    Membership,
    Resolution,
    decision_slug,
)
from governance.steering.services._common import M, _require_status
from governance.steering.services.meetings import quorum

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
