"""Provider onboarding: the joining application, its review, and provider status.
Plain functions that add and flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.concurrency import lock
from app.extensions import db, utcnow
from app.files import store
from app.labels import org_status_label
from app.mail import queue_mail
from app.models import Organisation, OrgKind, OrgRole, OrgStatus, User
from app.services import ServiceError
from app.urls import external_url
from app.validators import normalise_business_id
from governance.rules import services as rules
from governance.rules.models import RulesAcceptance
from governance.steering.models import Decision
from marketplace.onboarding import preassessment
from marketplace.onboarding.models import (
    OPEN,
    ApplicationAttachment,
    ApplicationComment,
    ApplicationStatus,
    ApplicationSubmission,
    PreAssessment,
    ProviderApplication,
    ProviderStatusChange,
)
from marketplace.onboarding.permissions import can_submit_application
from marketplace.onboarding.steps import ATTACHMENT_KINDS, BY_SLUG, STEPS

S = ApplicationStatus


# --- the applicant's side -------------------------------------------------------------------


def current_application(org: Organisation) -> ProviderApplication | None:
    """The organisation's open application, else its latest one."""
    stmt = (
        sa.select(ProviderApplication)
        .where(ProviderApplication.organisation_id == org.id)
        .order_by(ProviderApplication.status.in_([s.value for s in OPEN]).desc(), ProviderApplication.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def start_application(user: User) -> ProviderApplication:
    org = user.organisation
    if org is None or org.kind != OrgKind.PROVIDER:
        raise ServiceError(_("Only service providers apply to join."))
    lock(org)
    existing = current_application(org)
    if existing is not None and (existing.is_open or existing.status == S.APPROVED):
        return existing
    application = ProviderApplication(
        organisation=org,
        created_by_id=user.id,
        answers={"organisation": {"legal_name": org.name, "business_id": org.business_id or ""}},
        completed_steps=[],
    )
    db.session.add(application)
    audit.record(user, "application.started", application, organisation_id=org.id)
    return application


def _require_editable(application: ProviderApplication) -> None:
    if application.status in (S.SUBMITTED, S.IN_REVIEW):
        raise ServiceError(
            _(
                "The application has been submitted and is being handled. It can be edited only if "
                "the coordinator asks for changes."
            )
        )
    if not application.is_editable:
        raise ServiceError(_("This application is closed and can no longer be edited."))


def save_step(user: User, application: ProviderApplication, slug: str, raw: dict[str, Any], valid: bool) -> None:
    """Keep what was typed in a step, valid or not, and whether the step is complete."""
    lock(application)
    _require_editable(application)
    if slug not in BY_SLUG:
        raise ServiceError(_("There is no such step."))
    if (application.answers or {}).get(slug) == raw and (slug in (application.completed_steps or [])) == valid:
        return  # saved again as it was: nothing changes
    application.answers = {**(application.answers or {}), slug: raw}
    done = set(application.completed_steps or [])
    done.add(slug) if valid else done.discard(slug)
    application.completed_steps = [s.slug for s in STEPS if s.slug in done]
    audit.record(user, "application.step_saved", application, step=slug, complete=valid)


def save_attachment(
    user: User, application: ProviderApplication, kind: str, filename: str, data: bytes
) -> ApplicationAttachment:
    lock(application)
    _require_editable(application)
    if kind not in ATTACHMENT_KINDS:
        raise ServiceError(_("Unknown kind of attachment."))
    stored = store(filename, data, "application/pdf", user.id)
    attachment = application.attachment(kind)
    if attachment is None:
        attachment = ApplicationAttachment(application=application, kind=kind, file=stored)
        db.session.add(attachment)
    else:
        attachment.file = stored
    audit.record(
        user,
        "application.attachment_saved",
        application,
        kind=kind,
        filename=filename,
        size=stored.size,
        sha256=stored.sha256,
    )
    return attachment


def missing_steps(application: ProviderApplication) -> list[str]:
    done = set(application.completed_steps or [])
    missing = [s.slug for s in STEPS if s.slug not in done and s.slug != "attachments"]
    if any(application.attachment(kind) is None for kind in ATTACHMENT_KINDS):
        missing.insert([s.slug for s in STEPS].index("attachments"), "attachments")
    return missing


def submit(user: User, application: ProviderApplication, ip_address: str) -> None:
    lock(application)
    if application.status in (S.SUBMITTED, S.IN_REVIEW):
        raise ServiceError(_("The application has already been submitted."))
    _require_editable(application)
    if not can_submit_application(user, application):
        raise ServiceError(_("The application is submitted by an admin of the organisation, who signs for it."))
    missing = missing_steps(application)
    if missing:
        raise ServiceError(
            _(
                "Complete every step before submitting. Missing: %(steps)s.",
                steps=", ".join(str(BY_SLUG[m].title) for m in missing),
            )
        )
    version = rules.version_in_force()
    if version is not None:
        acceptance = rules.acceptance_of(application.organisation, version)
        if acceptance is None:
            answers = application.step("rules")
            acceptance = rules.accept(
                user,
                version,
                answers.get("signatory_name", ""),
                answers.get("signatory_title", ""),
                answers.get("authority") == "y",
                ip_address,
                answers.get("sha256", ""),
            )
        application.rules_acceptance = acceptance
    outcome, reasons = preassessment.assess(application)
    application.pre_assessment = outcome.value
    application.pre_assessment_reasons = reasons
    application.submission_count += 1
    db.session.add(
        ApplicationSubmission(
            application=application,
            number=application.submission_count,
            answers=application.answers,
            attachment_hashes={a.kind: a.file.sha256 for a in application.attachments},
        )
    )
    application.status = S.SUBMITTED.value
    application.submitted_at = utcnow()
    audit.record(
        user,
        "application.submitted",
        application,
        number=application.submission_count,
        pre_assessment=outcome.value,
        reasons=reasons,
    )
    _mail_applicant(application, _l("Your joining application was received"), "application_submitted")
    for coordinator in coordinators():
        queue_mail(
            coordinator.email,
            _l("A new joining application to review"),
            "application_for_review",
            coordinator.locale,
            application=application,
            link=external_url("review.application", application_id=application.id),
        )


def withdraw(user: User, application: ProviderApplication) -> None:
    lock(application)
    if not application.is_open:
        raise ServiceError(_("This application is closed and can no longer be withdrawn."))
    old = application.status
    application.status = S.WITHDRAWN.value
    audit.record(user, "application.withdrawn", application, old=old)


# --- review ---------------------------------------------------------------------------------------

REVIEW_TRANSITIONS: dict[str, tuple[S, ...]] = {
    "start": (S.SUBMITTED,),
    "request_changes": (S.SUBMITTED, S.IN_REVIEW),
    "approve": (S.SUBMITTED, S.IN_REVIEW),
    "reject": (S.SUBMITTED, S.IN_REVIEW),
}


def decide(actor: User, application: ProviderApplication, action: str, message: str) -> None:
    lock(application, application.organisation)
    allowed = REVIEW_TRANSITIONS.get(action)
    if allowed is None:
        raise ServiceError(_("Choose an action."))
    if application.status not in {s.value for s in allowed}:
        raise ServiceError(
            _(
                "This action is not possible while the application is %(status)s.",
                status=application_status_label(application.status),
            )
        )
    message = (message or "").strip()
    if action in ("request_changes", "reject") and not message:
        raise ServiceError(
            _("Write a message to the applicant: say what should change or why the application is rejected.")
        )
    old = application.status
    if action == "start":
        application.status = S.IN_REVIEW.value
        subject, template = _l("Your joining application is being reviewed"), "application_in_review"
    elif action == "request_changes":
        application.status = S.CHANGES_REQUESTED.value
        subject, template = _l("Changes requested to your joining application"), "application_changes"
    elif action == "approve":
        _approve(application)
        subject, template = _l("Your joining application was approved"), "application_approved"
    else:
        application.status = S.REJECTED.value
        subject, template = _l("Your joining application was rejected"), "application_rejected"
    if action in ("approve", "reject"):
        application.decided_at = utcnow()
        application.decided_by_id = actor.id
        application.decision_reason = message
    if message:
        db.session.add(
            ApplicationComment(application=application, author=actor, body=message, visible_to_applicant=True)
        )
    audit.record(actor, f"application.{action}", application, old=old, new=application.status, message=message)
    _mail_applicant(application, subject, template, message=message)


def _approve(application: ProviderApplication) -> None:
    org = application.organisation
    answers = application.step("organisation")
    business_id = normalise_business_id(answers.get("business_id", "")) or org.business_id
    taken = db.session.scalar(
        sa.select(Organisation.id).where(Organisation.business_id == business_id, Organisation.id != org.id)
    )
    if taken:
        raise ServiceError(_("Another organisation already has business ID %(id)s.", id=business_id))
    org.name = answers.get("legal_name") or org.name
    org.business_id = business_id
    org.einvoice_address = (answers.get("einvoice_address") or "").replace(" ", "") or None
    org.einvoice_operator = answers.get("einvoice_operator") or None
    old_status = org.status
    org.status = OrgStatus.ACTIVE.value
    application.status = S.APPROVED.value
    audit.record(
        None, "organisation.status_changed", org, old=old_status, new=org.status, application_id=application.id
    )


def add_review_comment(actor: User, application: ProviderApplication, body: str, visible: bool) -> ApplicationComment:
    comment = ApplicationComment(application=application, author=actor, body=body.strip(), visible_to_applicant=visible)
    db.session.add(comment)
    audit.record(actor, "application.commented", application, visible=visible)
    if visible:
        _mail_applicant(
            application, _l("A new message about your joining application"), "application_comment", message=comment.body
        )
    return comment


@dataclass(frozen=True)
class Change:
    step: str
    field: str
    old: Any
    new: Any


def changes_since_last_submission(application: ProviderApplication) -> list[Change]:
    """What the applicant changed between the last two submissions (or since the last one, while editing)."""
    subs = application.submissions
    if not subs:
        return []
    if application.is_editable or len(subs) < 2:
        if application.is_editable:
            before, after = subs[-1].answers, application.answers
            before_files = subs[-1].attachment_hashes
            after_files = {a.kind: a.file.sha256 for a in application.attachments}
        else:
            return []
    else:
        before, after = subs[-2].answers, subs[-1].answers
        before_files, after_files = subs[-2].attachment_hashes, subs[-1].attachment_hashes
    changes: list[Change] = []
    for step in STEPS:
        old, new = (before or {}).get(step.slug) or {}, (after or {}).get(step.slug) or {}
        for key in sorted(set(old) | set(new)):
            if key in ("csrf_token", "submit", "sha256"):
                continue
            if old.get(key) != new.get(key):
                changes.append(Change(step.slug, key, old.get(key), new.get(key)))
    for kind in ATTACHMENT_KINDS:
        if (before_files or {}).get(kind) != (after_files or {}).get(kind):
            changes.append(Change("attachments", kind, (before_files or {}).get(kind), (after_files or {}).get(kind)))
    return changes


def review_queue(status: str | None, pre: str | None, age: str | None, now: datetime | None = None) -> sa.Select:
    now = now or utcnow()
    stmt = sa.select(ProviderApplication).where(ProviderApplication.status != S.DRAFT.value)
    if status:
        stmt = stmt.where(ProviderApplication.status == status)
    if pre:
        stmt = stmt.where(ProviderApplication.pre_assessment == pre)
    if age == "week":
        stmt = stmt.where(ProviderApplication.submitted_at >= now - timedelta(days=7))
    elif age == "month":
        stmt = stmt.where(
            ProviderApplication.submitted_at < now - timedelta(days=7),
            ProviderApplication.submitted_at >= now - timedelta(days=30),
        )
    elif age == "older":
        stmt = stmt.where(ProviderApplication.submitted_at < now - timedelta(days=30))
    # Open applications first, the one waiting longest at the top; then the closed ones, latest first.
    waiting = ProviderApplication.status.in_([s.value for s in OPEN if s != S.DRAFT])
    return stmt.order_by(
        sa.case((waiting, 0), else_=1),
        sa.case((waiting, ProviderApplication.submitted_at)).asc().nulls_last(),
        sa.func.coalesce(ProviderApplication.decided_at, ProviderApplication.submitted_at).desc().nulls_last(),
        ProviderApplication.id,
    )


# --- provider status ------------------------------------------------------------------------------------

PROVIDER_TRANSITIONS = {
    OrgStatus.ACTIVE.value: {OrgStatus.SUSPENDED.value, OrgStatus.TERMINATED.value},
    OrgStatus.SUSPENDED.value: {OrgStatus.ACTIVE.value, OrgStatus.TERMINATED.value},
    OrgStatus.TERMINATED.value: {OrgStatus.ACTIVE.value},
}


#: The kinds of decision that may suspend or terminate a provider.
STATUS_DECISION_KINDS = {
    OrgStatus.SUSPENDED.value: ("provider_suspension", "provider_termination"),
    OrgStatus.TERMINATED.value: ("provider_termination",),
    OrgStatus.ACTIVE.value: ("provider_suspension", "provider_termination"),
}


def set_provider_status(
    actor: User, org: Organisation, new_status: str, reason: str, decision: Decision | None
) -> None:
    if org.kind != OrgKind.PROVIDER:
        raise ServiceError(_("Only providers are suspended, terminated or reinstated here."))
    lock(org)
    if new_status not in PROVIDER_TRANSITIONS.get(org.status, set()):
        raise ServiceError(
            _(
                "A provider that is %(old)s cannot become %(new)s.",
                old=provider_status_label(org.status),
                new=provider_status_label(new_status),
            )
        )
    if not reason.strip():
        raise ServiceError(_("Give the reason."))
    if decision is not None and (decision.kind not in STATUS_DECISION_KINDS[new_status] or not decision.effective):
        raise ServiceError(
            _("That decision is not about suspending or terminating providers, or its minutes are not approved yet.")
        )
    if decision is None and new_status != OrgStatus.ACTIVE.value:
        raise ServiceError(_("Choose the decision that suspends or terminates the provider."))
    change = ProviderStatusChange(
        organisation=org,
        old_status=org.status,
        new_status=new_status,
        reason=reason.strip(),
        decision=decision,
        decision_ref=decision.reference if decision else "",
        actor=actor,
    )
    db.session.add(change)
    org.status = new_status
    audit.record(
        actor,
        "organisation.status_changed",
        org,
        old=change.old_status,
        new=new_status,
        reason=change.reason,
        decision=change.decision_ref,
        decision_id=decision.id if decision else None,
    )
    for admin in _org_admins(org):
        queue_mail(
            admin.email,
            _l("The status of your organisation changed"),
            "provider_status",
            admin.locale,
            org=org,
            change=change,
        )


def status_history(org: Organisation) -> list[ProviderStatusChange]:
    stmt = sa.select(ProviderStatusChange).where(ProviderStatusChange.organisation_id == org.id)
    return list(db.session.scalars(stmt.order_by(ProviderStatusChange.id.desc())))


def approved_application(org: Organisation) -> ProviderApplication | None:
    stmt = (
        sa.select(ProviderApplication)
        .where(ProviderApplication.organisation_id == org.id, ProviderApplication.status == S.APPROVED.value)
        .order_by(ProviderApplication.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def latest_acceptance(org: Organisation):

    stmt = (
        sa.select(RulesAcceptance)
        .where(RulesAcceptance.organisation_id == org.id)
        .order_by(RulesAcceptance.accepted_at.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


# --- helpers ------------------------------------------------------------------------------------------------


def _org_admins(org: Organisation) -> list[User]:
    stmt = sa.select(User).where(
        User.organisation_id == org.id, User.org_role == OrgRole.ADMIN.value, User.active.is_(True)
    )
    return list(db.session.scalars(stmt))


def coordinators() -> list[User]:
    """Active people of the coordinator organisation (who review and get notified)."""
    stmt = (
        sa.select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.kind == OrgKind.COORDINATOR.value, User.active.is_(True))
    )
    return list(db.session.scalars(stmt))


def _mail_applicant(application: ProviderApplication, subject, template: str, **context: Any) -> None:
    recipients = {u.id: u for u in _org_admins(application.organisation)}
    if application.created_by is not None:
        recipients.setdefault(application.created_by.id, application.created_by)
    link = external_url("join.summary")
    for user in recipients.values():
        queue_mail(user.email, subject, template, user.locale, user=user, application=application, link=link, **context)


APPLICATION_STATUS_LABELS = {
    S.DRAFT: _l("Draft"),
    S.SUBMITTED: _l("Submitted"),
    S.IN_REVIEW: _l("In review"),
    S.CHANGES_REQUESTED: _l("Changes requested"),
    S.APPROVED: _l("Approved"),
    S.REJECTED: _l("Rejected"),
    S.WITHDRAWN: _l("Withdrawn"),
}
PRE_ASSESSMENT_LABELS = {
    PreAssessment.PASS: _l("Pass"),
    PreAssessment.FAIL: _l("Fail"),
    PreAssessment.NEEDS_REVIEW: _l("Needs review"),
}


def application_status_label(status: str) -> str:
    return str(APPLICATION_STATUS_LABELS.get(status, status))


def provider_status_label(status: str) -> str:

    return org_status_label(status)
