"""Organisations: starting or joining one, people, invitations, join requests."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import services
from app.actions import attempt
from app.extensions import db
from app.forms import (
    ConfirmForm,
    DecideJoinRequestForm,
    InviteForm,
    JoinMunicipalityForm,
    RoleForm,
    StartProviderForm,
    choices,
)
from app.labels import ROLE_LABELS
from app.models import Invitation, JoinRequest, Organisation, OrgRole, User
from app.permissions import can_decide_join_request, can_manage_people, can_start_organisation, require

bp = Blueprint("orgs", __name__, url_prefix="/organisation")


def _role_choices(org: Organisation) -> list:
    return choices((role.value, str(ROLE_LABELS[role.value])) for role in org.roles)


@bp.get("/start")
@login_required
def start():
    if not can_start_organisation(current_user):
        return redirect(url_for("orgs.organisation"))
    provider_form = StartProviderForm()
    join_form = JoinMunicipalityForm()
    join_form.organisation.choices = choices((m.id, m.name) for m in services.municipalities())
    return render_template(
        "orgs/start.html",
        provider_form=provider_form,
        join_form=join_form,
        pending=services.pending_join_requests_of(current_user),
    )


@bp.post("/start/provider")
@login_required
def start_provider():
    require(can_start_organisation(current_user), _l("You already belong to an organisation."))
    form = StartProviderForm()
    join_form = JoinMunicipalityForm(formdata=None)
    join_form.organisation.choices = choices((m.id, m.name) for m in services.municipalities())
    if form.validate_on_submit() and (
        outcome := attempt(
            lambda: services.start_provider(current_user, form.name.data, form.business_id.data), field=form.business_id
        )
    ):
        org = outcome.value
        flash(_("%(org)s is registered. Next, fill in the joining application.", org=org.name), "success")
        return redirect(url_for("join.start"))
    return render_template(
        "orgs/start.html",
        provider_form=form,
        join_form=join_form,
        pending=services.pending_join_requests_of(current_user),
    ), 400


@bp.post("/start/municipality")
@login_required
def join_municipality():
    require(can_start_organisation(current_user), _l("You already belong to an organisation."))
    form = JoinMunicipalityForm()
    form.organisation.choices = choices((m.id, m.name) for m in services.municipalities())
    if form.validate_on_submit():
        org = db.session.get(Organisation, form.organisation.data)
        if attempt(
            lambda: services.request_to_join(current_user, org, form.message.data or ""), field=form.organisation
        ):
            flash(
                _("Your request was sent to %(org)s. You will get an e-mail when it is answered.", org=org.name),
                "success",
            )
            return redirect(url_for("orgs.start"))
    return render_template(
        "orgs/start.html",
        provider_form=StartProviderForm(formdata=None),
        join_form=form,
        pending=services.pending_join_requests_of(current_user),
    ), 400


@bp.get("")
@login_required
def organisation():
    org = current_user.organisation
    if org is None:
        return redirect(url_for("orgs.start"))
    manage = can_manage_people(current_user, org)
    invite_form = InviteForm(role="member")
    invite_form.role.choices = _role_choices(org)
    return render_template(
        "orgs/organisation.html",
        org=org,
        members=services.members(org),
        manage=manage,
        invite_form=invite_form,
        invitations=services.open_invitations(org) if manage else [],
        join_requests=services.pending_join_requests(org) if manage else [],
        role_labels=ROLE_LABELS,
        role_choices=_role_choices(org),
        confirm_form=ConfirmForm(),
    )


@bp.post("/<int:org_id>/invitations")
@login_required
def invite(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    require(can_manage_people(current_user, org), _l("Only the organisation's admin can invite people."))
    form = InviteForm()
    form.role.choices = _role_choices(org)
    if form.validate_on_submit() and attempt(
        lambda: services.invite(current_user, org, form.email.data, OrgRole(form.role.data)), field=form.email
    ):
        flash(_("An invitation was sent to %(email)s.", email=form.email.data), "success")
        return redirect(_back(org))
    return render_template("orgs/invite.html", org=org, form=form), 400


@bp.post("/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    invitation = db.get_or_404(Invitation, invitation_id)
    require(
        can_manage_people(current_user, invitation.organisation),
        _l("Only the organisation's admin can withdraw invitations."),
    )
    if ConfirmForm().validate_on_submit() and attempt(lambda: services.revoke_invitation(current_user, invitation)):
        flash(_("The invitation was withdrawn."), "success")
    return redirect(_back(invitation.organisation))


@bp.post("/members/<int:user_id>/role")
@login_required
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    org = user.organisation
    require(
        org is not None and can_manage_people(current_user, org), _l("Only the organisation's admin can change roles.")
    )
    form = RoleForm()
    form.role.choices = _role_choices(org)
    if form.validate_on_submit():
        if attempt(lambda: services.set_role(current_user, user, OrgRole(form.role.data))):
            flash(
                _("The role of %(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[form.role.data]), "success"
            )
    else:
        flash(_("Choose one of the roles offered."), "error")
    return redirect(_back(org))


@bp.post("/members/<int:user_id>/remove")
@login_required
def remove_member(user_id: int):
    user = db.get_or_404(User, user_id)
    org = user.organisation
    require(
        org is not None and can_manage_people(current_user, org), _l("Only the organisation's admin can remove people.")
    )
    if ConfirmForm().validate_on_submit():
        attempt(
            lambda: services.remove_from_organisation(current_user, user),
            _("%(name)s no longer belongs to %(org)s.", name=user.name, org=org.name),
        )
    return redirect(_back(org))


@bp.route("/join-requests/<int:request_id>", methods=["GET", "POST"])
@login_required
def decide_join_request(request_id: int):
    join_request = db.get_or_404(JoinRequest, request_id)
    require(
        can_decide_join_request(current_user, join_request),
        _l("Only the municipality's admin or a coordinator can answer this request."),
    )
    form = DecideJoinRequestForm()
    form.role.choices = _role_choices(join_request.organisation)
    if form.validate_on_submit() and attempt(
        lambda: services.decide_join_request(
            current_user,
            join_request,
            form.decision.data == "accept",
            OrgRole(form.role.data),
            form.note.data or "",
        )
    ):
        flash(_("The decision was saved and the person was told by e-mail."), "success")
        return redirect(_back(join_request.organisation))
    return render_template("orgs/join_request.html", join_request=join_request, form=form)


def _back(org: Organisation) -> str:
    if current_user.organisation_id == org.id:
        return url_for("orgs.organisation")
    return url_for("admin.organisation", org_id=org.id)
