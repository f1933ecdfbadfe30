"""Translated labels for stored values (roles, kinds, statuses)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("Admin"),
    "member": _l("Member"),
    "buyer": _l("Buyer"),
    "approver": _l("Approver"),
}
KIND_LABELS = {
    "municipality": _l("Municipality"),
    "provider": _l("Service provider"),
    "coordinator": _l("Coordinator"),
}
STATUS_LABELS = {
    "applicant": _l("Applicant"),
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "terminated": _l("Terminated"),
}


def org_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def org_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def role_label(role: str | None) -> str:
    return str(ROLE_LABELS.get(role or "", role or ""))
