"""Translated labels for stored values (roles, kinds, statuses)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import OrgKind, OrgRole, OrgStatus

ROLE_LABELS = {
    OrgRole.ADMIN: _l("Admin"),
    OrgRole.MEMBER: _l("Member"),
    OrgRole.BUYER: _l("Buyer"),
    OrgRole.APPROVER: _l("Approver"),
}
KIND_LABELS = {
    OrgKind.MUNICIPALITY: _l("Municipality"),
    OrgKind.PROVIDER: _l("Service provider"),
    OrgKind.COORDINATOR: _l("Coordinator"),
}
STATUS_LABELS = {
    OrgStatus.APPLICANT: _l("Applicant"),
    OrgStatus.ACTIVE: _l("Active"),
    OrgStatus.SUSPENDED: _l("Suspended"),
    OrgStatus.TERMINATED: _l("Terminated"),
}


def org_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def org_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def role_label(role: str | None) -> str:
    return str(ROLE_LABELS.get(role or "", role or ""))
