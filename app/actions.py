"""Running one service action from a view: commit and say it was done, or roll back and say why."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from app.extensions import db
from app.services import ServiceError


def attempt(action: Callable[[], object], done: str) -> bool:
    """Run `action` (a service call that adds and flushes). On success commit and flash `done`;
    when a rule of the domain refuses it (ServiceError), roll back and flash the reason.
    Returns whether it was done."""
    try:
        action()
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    flash(done, "success")
    return True
