"""Who may do what with the rules."""

from __future__ import annotations

from typing import Any

from app.models import OrgKind, OrgRole
from app.permissions import is_coordinator
from governance.rules.models import RulesVersion


def can_manage_rules(user: Any) -> bool:
    """Draft, open for comment, adopt, answer comments: the coordinator's staff."""
    return is_coordinator(user)


def can_see_version(user: Any, version: RulesVersion) -> bool:
    return version.is_public or can_manage_rules(user)


def can_comment(user: Any) -> bool:
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return bool(org and org.kind in (OrgKind.PROVIDER, OrgKind.MUNICIPALITY))


def can_accept_rules(user: Any) -> bool:
    """A provider's admin signs for the organisation."""
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return bool(org and org.kind == OrgKind.PROVIDER and user.org_role == OrgRole.ADMIN)
