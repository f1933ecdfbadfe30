"""The steering blueprint and what its view modules share: `views` (bodies, cases, follow-up),
`meeting_views` (meetings and minutes) and `item_views` (agenda items) all add their routes to
`bp`; the factory imports the three."""

from __future__ import annotations

from flask import Blueprint, abort, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.forms import choices
from governance.steering import services
from governance.steering.forms import (
    KIND_LABELS,
    LEVEL_LABELS,
    MEETING_STATUS_LABELS,
    RESOLUTION_LABELS,
    ROLE_LABELS,
    TASK_STATUS_LABELS,
)
from governance.steering.models import Body, Meeting
from governance.steering.permissions import can_see_meeting

bp = Blueprint("steering", __name__)

SECRETARY_ONLY = _l("Only the secretary of the body (or the coordinator's staff) does this.")


def body_or_404(code: str) -> Body:
    body = services.body_by_code(code)
    if body is None:
        abort(404, description=_("There is no body %(code)s.", code=code[:12]))
    return body


def flash_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


@bp.app_context_processor
def _labels() -> dict:
    return {
        "kind_labels": KIND_LABELS,
        "resolution_labels": RESOLUTION_LABELS,
        "body_role_labels": ROLE_LABELS,
        "level_labels": LEVEL_LABELS,
        "meeting_status_labels": MEETING_STATUS_LABELS,
        "task_status_labels": TASK_STATUS_LABELS,
    }


def meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can_see_meeting(current_user, meeting):
        abort(404)
    return meeting


def people_choices(body: Body, blank: bool = True) -> list:
    people = {m.user_id: m.user.name for m in body.memberships}
    return choices(([("", "–")] if blank else []) + sorted(people.items(), key=lambda p: p[1]))
