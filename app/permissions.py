"""Who may do what in the core: organisations, people and administration.

Views call these helpers; a refusal becomes a 403 page that says what is
missing. Domain packages add their own helpers in their permissions modules.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.models import JoinRequest, Organisation, OrgRole, User


def is_coordinator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_coordinator)


def is_org_admin(user: Any, org: Organisation | None) -> bool:
    return (
        org is not None
        and getattr(user, "is_authenticated", False)
        and user.organisation_id == org.id
        and user.org_role == OrgRole.ADMIN
    )


def can_manage_people(user: Any, org: Organisation) -> bool:
    """Invite people and set their roles: the organisation's admin or a coordinator."""
    return is_org_admin(user, org) or is_coordinator(user)


def can_decide_join_request(user: Any, request: JoinRequest) -> bool:
    return can_manage_people(user, request.organisation)


def can_start_organisation(user: User) -> bool:
    """Only people without an organisation start one or ask to join one."""
    return user.organisation_id is None


def require(allowed: bool, reason: str | Any) -> None:
    """Abort with a 403 that explains what is missing."""
    if not allowed:
        abort(403, description=str(reason))


def coordinator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        require(is_coordinator(current_user), _l("This page is for the ecosystem coordinator's staff."))
        return view(*args, **kwargs)

    return wrapped
