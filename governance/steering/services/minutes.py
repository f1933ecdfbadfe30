"""Minutes: drafting, editing, checking, approving, signing and correcting them."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.concurrency import lock
from app.extensions import db, utcnow
from app.models import User
from app.services import ServiceError
from governance.steering.models import (
    Meeting,
    Minutes,
    Role,
)
from governance.steering.services._common import M, _require_status
from governance.steering.services.meetings import quorum, voters
from governance.steering.services.votes import result


def generate_minutes_text(meeting: Meeting, public: bool = False) -> str:
    """The minutes drafted from the meeting's records; `public` gives the version for everyone."""

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
