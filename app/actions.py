"""Running one service action from a view: commit and say it was done, or roll back and say why.

This is the only place a view's transaction ends (tests/app/test_actions.py checks that no view module
commits or rolls back by itself):

- `attempt(action, done)`: run a service call; on success commit and flash `done`; when a rule of
  the domain refuses it (`ServiceError`), roll back and show the reason (flashed, or on a form
  field); when another request changed the same rows at the same moment (`StaleDataError`, or a
  unique constraint meeting a second copy), roll back and say so. Returns an `Outcome`: true when
  it was done, with the action's return value.
- `act(action, done, back)`: the same, then back to `back` (the usual end of a POST).
- `save(done)`: commit what the view changed itself, or a service call that cannot be refused;
  a lost race goes on to the app's handler (app.errors), which says so and goes back to the form.
- `undo()`: roll back (a service call whose result the view refuses, such as a link used twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash, redirect
from flask_babel import LazyString
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from app.errors import LOST_RACE, is_unique_violation
from app.extensions import db
from app.services import ServiceError
from app.submissions import ALREADY_SAVED, is_duplicate

T = TypeVar("T")

Message = str | LazyString
Done = Message | Callable[[Any], Message] | None


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of an action: `done` (also its truth value), the action's return value, and
    the message shown when it was not done."""

    done: bool
    value: T | None = None
    error: str = ""
    lost_race: bool = False

    def __bool__(self) -> bool:
        return self.done


def _refused(message: str, field: Any | None) -> None:
    if field is not None:
        field.errors = [*field.errors, message]  # a tuple before validation, a list after it
    else:
        flash(message, "error")


def _lost_race(error: BaseException, stale: Message | None = None) -> str:
    """Roll back after a lost race and say so at the top of the page (`stale`, when given, says it
    in the view's own words); a second copy of the same form says "already saved"."""

    db.session.rollback()
    message, category = (ALREADY_SAVED, "info") if is_duplicate(error) else (stale or LOST_RACE, "error")
    flash(str(message), category)
    return str(message)


def _is_race(error: BaseException) -> bool:
    return isinstance(error, StaleDataError) or (isinstance(error, IntegrityError) and is_unique_violation(error))


def _commit(stale: Message | None = None) -> str | None:
    """Commit; a lost race found only now (a unique constraint) rolls back: its message, else None."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as exc:
        if not _is_race(exc):
            raise
        return _lost_race(exc, stale)
    return None


def attempt(
    action: Callable[[], T], done: Done = None, *, field: Any | None = None, stale: Message | None = None
) -> Outcome[T]:
    """Run `action` (a service call that adds and flushes) and end the transaction.

    `done` is flashed on success (a callable gets the action's return value); a refusal goes to
    `field`'s errors when one is given (a form shown again), else it is flashed. `stale` replaces
    the lost-race message where the view can say more (your text is kept below...)."""
    try:
        value = action()
    except ServiceError as exc:
        db.session.rollback()
        _refused(str(exc), field)
        return Outcome(False, error=str(exc))
    except (StaleDataError, IntegrityError) as exc:
        if not _is_race(exc):
            raise
        return Outcome(False, error=_lost_race(exc, stale), lost_race=True)
    problem = _commit(stale)
    if problem is not None:
        return Outcome(False, error=problem, lost_race=True)
    if done is not None:
        flash(str(done(value) if callable(done) else done), "success")
    return Outcome(True, value)


def act(action: Callable[[], Any], done: Done, back: str) -> Response:
    """`attempt`, then back to `back` whatever became of it."""
    attempt(action, done)
    return redirect(back)


def save(done: Done = None) -> None:
    """Commit what the view changed itself (no service refusal is possible); flash `done` when
    given. A lost race raises on to the app's handler (app.errors), which says so and goes back."""
    db.session.commit()
    if done is not None:
        flash(str(done(None) if callable(done) else done), "success")


def undo() -> None:
    """Roll back what the view started (a form that did not validate after a service call)."""
    db.session.rollback()
