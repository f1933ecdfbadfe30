"""Steering meetings: a meeting of a body opened and in session with the given seats present."""

from __future__ import annotations

from datetime import datetime

from app.clock import HELSINKI
from app.extensions import db
from governance.steering import services
from governance.steering.models import Body


def meeting_in_session(body: Body, actor, present_keys, seats, stand_ins=None, kinds=("operational",)):
    """A new meeting of `body`, one item of each kind, in session with `present_keys` of `seats` present
    (`stand_ins`: deputy key to member key)."""
    meeting = services.create_meeting(
        actor, body, services.next_meeting_number(body, 2026), datetime(2026, 6, 1, 10, tzinfo=HELSINKI), "Pasila", ""
    )
    for i, kind in enumerate(kinds):
        case = services.create_case(actor, body, f"Asia {i + 1}", False, "")
        services.add_item(actor, meeting, case, kind, "Ehdotus.", None)
    services.publish_agenda(actor, meeting)
    services.start_session(actor, meeting)
    db.session.flush()
    services.record_attendance(
        actor,
        meeting,
        {seats[k].id for k in present_keys},
        {seats[d].id: seats[p].id for d, p in (stand_ins or {}).items()},
    )
    return meeting
