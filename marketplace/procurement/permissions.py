"""Who may see and do what in procurement."""

from __future__ import annotations

from typing import Any

from app.models import OrgKind, OrgRole
from app.permissions import is_coordinator
from marketplace.procurement.models import Order, ProcurementRequest


def _org(user: Any):
    return getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None


def is_municipality_person(user: Any) -> bool:
    org = _org(user)
    return bool(org and org.kind == OrgKind.MUNICIPALITY)


def is_buyer(user: Any) -> bool:
    return is_municipality_person(user) and user.org_role == OrgRole.BUYER


def is_approver(user: Any) -> bool:
    return is_municipality_person(user) and user.org_role == OrgRole.APPROVER


def can_decide(user: Any, request: ProcurementRequest) -> bool:
    """Four eyes: an approver of the requesting municipality who did not make the request."""
    return is_approver(user) and user.organisation_id == request.organisation_id and user.id != request.requester_id


def is_provider_person(user: Any) -> bool:
    org = _org(user)
    return bool(org and org.kind == OrgKind.PROVIDER)


def can_view_request(user: Any, request: ProcurementRequest) -> bool:
    """The municipality's own people, and the coordinator."""
    return (is_municipality_person(user) and user.organisation_id == request.organisation_id) or is_coordinator(user)


def can_view_order(user: Any, order: Order) -> bool:
    """The municipality that ordered, the provider that delivers, and the coordinator."""
    if is_coordinator(user):
        return True
    org = _org(user)
    return bool(org and org.id in (order.organisation_id, order.provider_id))


def can_answer_order(user: Any, order: Order) -> bool:
    org = _org(user)
    return bool(org and org.kind == OrgKind.PROVIDER and org.id == order.provider_id)


def can_see_orders(user: Any) -> bool:
    return is_municipality_person(user) or is_provider_person(user) or is_coordinator(user)
