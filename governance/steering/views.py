"""Steering bodies: public body pages and member lists, cases, follow-up tasks.
Meeting pages are in meeting_views (the same blueprint, governance/steering/blueprint.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.actions import act, attempt
from app.clock import HELSINKI, helsinki_today
from app.extensions import db
from app.forms import ConfirmForm, choices
from app.models import Organisation
from app.permissions import require
from app.services import find_user_by_email
from governance.steering import services
from governance.steering.blueprint import SECRETARY_ONLY, body_or_404, bp, flash_errors
from governance.steering.forms import (
    ROLE_LABELS,
    BodyForm,
    CaseForm,
    MeetingForm,
    MembershipForm,
    TaskUpdateForm,
)
from governance.steering.models import Body, Meeting, Membership, Role, Task, TaskStatus
from governance.steering.permissions import can_manage, can_manage_members, can_see_confidential


def _body_form(submitted: bool = False) -> BodyForm:
    form = BodyForm() if submitted else BodyForm(formdata=None)
    form.parent.choices = choices([("", "–")] + [(b.id, f"{b.code} {b.name}") for b in services.bodies()])
    return form


@bp.get("/bodies")
def bodies():
    form = _body_form() if can_manage_members(current_user) else None
    return render_template("steering/bodies.html", bodies=services.bodies(), form=form)


@bp.post("/bodies")
@login_required
def create_body():
    require(can_manage_members(current_user), _l("Only the coordinator's staff create bodies."))
    form = _body_form(submitted=True)
    if form.validate_on_submit():
        parent = db.session.get(Body, int(form.parent.data)) if (form.parent.data or "").isdigit() else None
        created = attempt(
            lambda: services.create_body(
                current_user, form.code.data, form.name.data, form.level.data, parent, form.mandate.data or []
            ),
            lambda body: _("The body %(code)s was created. Add its members next.", code=body.code),
            field=form.code,
        )
        if created:
            return redirect(url_for("steering.body", code=created.value.code))
    return render_template("steering/bodies.html", bodies=services.bodies(), form=form), 400


@bp.get("/bodies/<code>")
def body(code: str):
    body = body_or_404(code)
    manage = can_manage(current_user, body)

    meetings = list(
        db.session.scalars(sa.select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.starts_at.desc()))
    )
    member_form = None
    if can_manage_members(current_user):
        member_form = MembershipForm(formdata=None)
        _membership_choices(member_form, body)
    meeting_form = MeetingForm(formdata=None, number=services.next_meeting_number(body, helsinki_today().year))
    return render_template(
        "steering/body.html",
        body=body,
        manage=manage,
        meetings=meetings,
        members=[m for m in body.memberships if m.active_on(helsinki_today())],
        awaiting=services.cases_awaiting(body),
        overdue=services.overdue_tasks(body),
        confidential_ok=can_see_confidential(current_user, body),
        meeting_form=meeting_form,
        case_form=CaseForm(formdata=None),
        member_form=member_form,
    )


def _membership_choices(form: MembershipForm, body: Body) -> None:
    form.deputy_of.choices = choices(
        [("", "–")]
        + [(m.id, f"{m.user.name} ({ROLE_LABELS[m.role]})") for m in body.memberships if m.role != Role.DEPUTY]
    )
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
    form.organisation.choices = choices([("", "–")] + [(o.id, o.name) for o in orgs])


@bp.post("/bodies/<code>/meetings")
@login_required
def create_meeting(code: str):
    body = body_or_404(code)
    require(can_manage(current_user, body), SECRETARY_ONLY)
    form = MeetingForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.body", code=code))
    starts_at = form.starts_at.data.replace(tzinfo=HELSINKI)
    created = attempt(
        lambda: services.create_meeting(
            current_user, body, form.number.data, starts_at, form.place.data or "", form.remote_link.data or ""
        ),
        _("The meeting was created."),
    )
    if created:
        return redirect(url_for("steering.meeting", meeting_id=created.value.id))
    return redirect(url_for("steering.body", code=code))


@bp.post("/bodies/<code>/cases")
@login_required
def create_case(code: str):
    body = body_or_404(code)
    require(can_manage(current_user, body), SECRETARY_ONLY)
    form = CaseForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.body", code=code))
    return act(
        lambda: services.create_case(
            current_user, body, form.title.data, form.confidential.data, form.legal_basis.data or ""
        ),
        _("The case was opened and waits for handling."),
        url_for("steering.body", code=code),
    )


@bp.post("/bodies/<code>/members")
@login_required
def add_member(code: str):
    body = body_or_404(code)
    require(can_manage_members(current_user), _l("Only the coordinator's staff manage the members of bodies."))
    form = MembershipForm()
    _membership_choices(form, body)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.body", code=code))
    user = find_user_by_email(form.email.data)
    if user is None:
        flash(_("No account has this e-mail address. Invite the person to their organisation first."), "error")
        return redirect(url_for("steering.body", code=code))

    deputy_of = db.session.get(Membership, int(form.deputy_of.data)) if form.deputy_of.data else None
    return act(
        lambda: services.add_membership(
            current_user,
            body,
            user,
            Role(form.role.data),
            form.voting.data,
            form.term_start.data,
            form.term_end.data,
            int(form.organisation.data) if form.organisation.data else None,
            deputy_of,
        ),
        _("The member was added."),
        url_for("steering.body", code=code),
    )


@bp.post("/memberships/<int:membership_id>/end")
@login_required
def end_membership(membership_id: int):
    require(can_manage_members(current_user), _l("Only the coordinator's staff manage the members of bodies."))

    membership = db.get_or_404(Membership, membership_id)
    back = url_for("steering.body", code=membership.body.code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return act(
        lambda: services.end_membership(current_user, membership, helsinki_today()),
        _("The term of %(name)s ends today.", name=membership.user.name),
        back,
    )


@bp.get("/cases/<record>")
def case(record: str):
    case = services.case_by_record(record)
    if case is None:
        abort(404, description=_("There is no case %(record)s.", record=record[:20]))
    visible = (
        not case.confidential
        or any(can_see_confidential(current_user, i.meeting.body) for i in case.items)
        or (case.awaiting_body is not None and can_see_confidential(current_user, case.awaiting_body))
    )
    return render_template("steering/case.html", case=case, show_text=visible)


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: int):
    task = db.get_or_404(Task, task_id)
    body = task.decision.body
    allowed = (
        can_manage(current_user, body)
        or task.owner_user_id == current_user.id
        or (task.owner_body is not None and can_manage(current_user, task.owner_body))
    )
    require(allowed, _l("Only the person or body responsible, or the secretary, updates this task."))
    form = TaskUpdateForm(status=task.status)
    if request.method == "POST":
        if form.validate_on_submit():
            return act(
                lambda: services.update_task(current_user, task, TaskStatus(form.status.data), form.note.data or ""),
                _("The task was updated."),
                url_for("steering.task", task_id=task.id),
            )
        flash_errors(form)
    return render_template("steering/task.html", task=task, form=form, today=helsinki_today())
