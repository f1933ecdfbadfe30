"""Who may do what with listings."""

from __future__ import annotations

from typing import Any

from app.models import OrgKind, OrgStatus
from app.permissions import is_coordinator
from marketplace.catalogue.models import Service


def is_provider_member(user: Any) -> bool:
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return bool(org and org.kind == OrgKind.PROVIDER and org.status == OrgStatus.ACTIVE)


def can_manage_listing(user: Any, service: Service) -> bool:
    """Any person of the provider edits, submits and withdraws its listings."""
    return is_provider_member(user) and user.organisation_id == service.organisation_id


def can_view_listing_workspace(user: Any, service: Service) -> bool:
    return can_manage_listing(user, service) or is_coordinator(user)


def can_review_listings(user: Any) -> bool:
    return is_coordinator(user)
