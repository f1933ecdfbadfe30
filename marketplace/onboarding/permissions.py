"""Who may do what in provider onboarding."""

from __future__ import annotations

from typing import Any

from app.models import OrgKind, OrgRole
from app.permissions import is_coordinator
from marketplace.onboarding.models import ProviderApplication


def is_provider_user(user: Any) -> bool:
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return bool(org and org.kind == OrgKind.PROVIDER)


def can_view_application(user: Any, application: ProviderApplication) -> bool:
    return is_coordinator(user) or (
        getattr(user, "is_authenticated", False) and user.organisation_id == application.organisation_id
    )


def can_submit_application(user: Any, application: ProviderApplication) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.organisation_id == application.organisation_id
        and user.org_role == OrgRole.ADMIN
    )


def can_review(user: Any) -> bool:
    return is_coordinator(user)
