"""Who may do what in a body: by the person's role in that body."""

from __future__ import annotations

from typing import Any

from app.clock import helsinki_today
from app.permissions import is_coordinator
from governance.steering.models import Body, Meeting, Role


def _roles(user: Any, body: Body) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    today = helsinki_today()
    return {m.role for m in body.memberships if m.user_id == user.id and m.active_on(today)}


def is_member(user: Any, body: Body) -> bool:
    return bool(_roles(user, body))


def can_manage(user: Any, body: Body) -> bool:
    """Agendas, attendance, votes, decisions and minutes: the body's secretary (or coordinator staff)."""
    return Role.SECRETARY.value in _roles(user, body) or is_coordinator(user)


def can_manage_members(user: Any) -> bool:
    return is_coordinator(user)


def can_see_confidential(user: Any, body: Body) -> bool:
    return is_member(user, body) or is_coordinator(user)


def can_see_meeting(user: Any, meeting: Meeting) -> bool:
    """Agendas are public once published; before that, for the body's people."""
    return meeting.status != "planned" or can_see_confidential(user, meeting.body)
