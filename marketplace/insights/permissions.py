"""Who sees which dashboard."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.clock import helsinki_today
from app.extensions import db
from app.models import OrgKind
from app.permissions import is_coordinator
from governance.steering.models import Body, Level, Membership


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _memberships(user: Any, *levels: str) -> bool:
    today = helsinki_today()
    stmt = (
        sa.select(Membership.id)
        .join(Body, Membership.body_id == Body.id)
        .where(
            Membership.user_id == user.id,
            Membership.term_start <= today,
            sa.or_(Membership.term_end.is_(None), Membership.term_end >= today),
        )
        .limit(1)
    )
    if levels:
        stmt = stmt.where(Body.level.in_(levels))
    return db.session.scalar(stmt) is not None


def can_see_ecosystem(user: Any) -> bool:
    """The coordinator and the members of the steering group (the strategic level)."""
    return _signed_in(user) and (is_coordinator(user) or _memberships(user, Level.STRATEGIC.value))


def can_see_governance(user: Any) -> bool:
    """The coordinator and the members of any steering body or forum."""
    return _signed_in(user) and (is_coordinator(user) or _memberships(user))


def _org_kind(user: Any) -> str | None:
    org = getattr(user, "organisation", None) if _signed_in(user) else None
    return org.kind if org is not None else None


def can_see_municipality(user: Any) -> bool:
    """A municipality's own people (their own figures), and the coordinator (any municipality's)."""
    return _signed_in(user) and (is_coordinator(user) or _org_kind(user) == OrgKind.MUNICIPALITY)


def can_see_provider(user: Any) -> bool:
    """A provider's own people (their own figures), and the coordinator (any provider's)."""
    return _signed_in(user) and (is_coordinator(user) or _org_kind(user) == OrgKind.PROVIDER)


def can_see_any(user: Any) -> bool:
    """Whether the menu shows Dashboards: the cheap checks first, at most one query."""
    if not _signed_in(user):
        return False
    if is_coordinator(user) or _org_kind(user) in (OrgKind.MUNICIPALITY, OrgKind.PROVIDER):
        return True
    return _memberships(user)
