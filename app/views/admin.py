"""Ecosystem administration for the coordinator's staff."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import mail, services
from app.actions import attempt, save, undo
from app.audit import AuditEvent
from app.extensions import db
from app.forms import AuditFilterForm, ConfirmForm, InviteForm, MunicipalityForm, PupilCountForm, choices
from app.labels import ROLE_LABELS
from app.models import Organisation, OrgKind
from app.params import paginate
from app.permissions import coordinator_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

KIND_FILTERS = {k.value for k in OrgKind}


@bp.get("/audit")
@coordinator_required
def audit():
    form = AuditFilterForm(request.args)
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if form.validate():
        if form.action.data:
            stmt = stmt.where(AuditEvent.action.startswith(form.action.data.strip(), autoescape=True))
        if form.object_type.data:
            stmt = stmt.where(AuditEvent.object_type == form.object_type.data.strip())
        if form.actor.data:
            stmt = stmt.where(AuditEvent.actor_label == services.normalise_email(form.actor.data))
    page = paginate(stmt, per_page=min(current_app.config["AUDIT_PAGE_SIZE"], 200))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, page=page, args=args)


@bp.get("/organisations")
@coordinator_required
def organisations():
    kind = request.args.get("kind", "")
    stmt = sa.select(Organisation).order_by(Organisation.kind, Organisation.name)
    if kind in KIND_FILTERS:
        stmt = stmt.where(Organisation.kind == kind)
    page = paginate(stmt, per_page=50)
    return render_template(
        "admin/organisations.html",
        page=page,
        kind=kind,
        kinds=sorted(KIND_FILTERS),
        join_requests=services.pending_join_requests(),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@coordinator_required
def new_municipality():
    form = MunicipalityForm()
    if form.validate_on_submit() and (
        outcome := attempt(
            lambda: services.create_organisation(
                current_user,
                OrgKind.MUNICIPALITY,
                form.name.data,
                form.business_id.data or None,
                form.municipality_code.data.strip(),
                pupil_count=form.pupil_count.data,
            ),
            field=form.municipality_code,
        )
    ):
        org = outcome.value
        flash(_("The municipality %(org)s was created. Invite its admin next.", org=org.name), "success")
        return redirect(url_for("admin.organisation", org_id=org.id))
    return render_template("admin/new_municipality.html", form=form)


@bp.get("/organisations/<int:org_id>")
@coordinator_required
def organisation(org_id: int):
    return _organisation_page(db.get_or_404(Organisation, org_id))


def _organisation_page(org: Organisation, pupil_form: PupilCountForm | None = None, status: int = 200):
    invite_form = InviteForm(role="admin" if not services.members(org) else "member")
    invite_form.role.choices = choices((r.value, str(ROLE_LABELS[r.value])) for r in org.roles)
    if pupil_form is None and org.is_municipality:
        pupil_form = PupilCountForm(formdata=None, pupil_count=org.pupil_count)
    return render_template(
        "admin/organisation.html",
        org=org,
        members=services.members(org),
        invite_form=invite_form,
        invitations=services.open_invitations(org),
        join_requests=services.pending_join_requests(org),
        role_labels=ROLE_LABELS,
        pupil_form=pupil_form,
    ), status


@bp.post("/organisations/<int:org_id>/pupils")
@coordinator_required
def pupil_count(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    if not org.is_municipality:
        abort(404)
    form = PupilCountForm()
    if not form.validate():
        return _organisation_page(org, form, 400)
    try:
        services.set_pupil_count(current_user, org, form.pupil_count.data)
    except services.ServiceError as exc:
        undo()
        form.pupil_count.errors.append(str(exc))
        return _organisation_page(org, form, 400)
    save()
    flash(_("The number of pupils of %(org)s was saved.", org=org.name), "success")
    return redirect(url_for("admin.organisation", org_id=org.id))


@bp.get("/mail")
@coordinator_required
def mail_queue():
    """Mail given up after its last attempt, with the error, and how much is waiting."""
    return render_template("admin/mail.html", failed=mail.given_up(), waiting=mail.pending_count())


@bp.post("/mail/<int:message_id>/retry")
@coordinator_required
def retry_mail(message_id: int):
    message = db.get_or_404(mail.OutboxMessage, message_id)
    if ConfirmForm().validate_on_submit():
        outcome = attempt(lambda: mail.queue_again(current_user, message))
        if outcome.done and outcome.value:
            flash(_("The message to %(recipient)s is queued again.", recipient=message.recipient), "success")
        elif outcome.done:
            flash(_("This message is not waiting for a retry: it was sent or queued again already."), "info")
    return redirect(url_for("admin.mail_queue"))
