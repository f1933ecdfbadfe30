"""The steering blueprint and what its two view modules share: `views` (bodies, cases, follow-up)
and `meeting_views` (meetings) both add their routes to `bp`; the factory imports both."""

from __future__ import annotations

from flask import Blueprint, abort, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from governance.steering import services
from governance.steering.forms import (
    KIND_LABELS,
    LEVEL_LABELS,
    MEETING_STATUS_LABELS,
    RESOLUTION_LABELS,
    ROLE_LABELS,
    TASK_STATUS_LABELS,
)
from governance.steering.models import Body

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
