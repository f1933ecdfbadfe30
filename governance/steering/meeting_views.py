"""Meetings: agenda, attendance and quorum, and the minutes. Agenda items are in item_views
(the same blueprint, governance/steering/blueprint.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.actions import act, attempt
from app.extensions import db
from app.forms import ConfirmForm, choices
from app.models import User
from app.permissions import require
from app.validators import whole_number
from governance.steering import services
from governance.steering.blueprint import SECRETARY_ONLY, bp, flash_errors, meeting_or_404, people_choices
from governance.steering.forms import (
    ApproveByMeetingForm,
    CheckersForm,
    CorrectionForm,
    ItemForm,
    MinutesForm,
)
from governance.steering.models import (
    Case,
    Meeting,
    MeetingStatus,
    Minutes,
    Role,
)
from governance.steering.permissions import can_manage, can_see_confidential, is_member


def _item_form(meeting: Meeting, submitted: bool = True) -> ItemForm:
    form = ItemForm() if submitted else ItemForm(formdata=None)
    form.case.choices = choices((c.id, f"{c.record_number} {c.title}") for c in services.cases_awaiting(meeting.body))
    form.presenter.choices = people_choices(meeting.body)
    return form


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    manage = can_manage(current_user, meeting.body)
    later = [
        m
        for m in db.session.scalars(
            sa.select(Meeting).where(
                Meeting.body_id == meeting.body_id,
                Meeting.status == MeetingStatus.IN_SESSION.value,
                Meeting.starts_at > meeting.starts_at,
            )
        )
    ]
    return render_template(
        "steering/meeting.html",
        meeting=meeting,
        manage=manage,
        quorum=services.quorum(meeting),
        memberships=services.active_memberships(meeting),
        confidential_ok=can_see_confidential(current_user, meeting.body),
        item_form=_item_form(meeting, submitted=False) if manage else None,
        confirm_form=ConfirmForm(),
        minutes=meeting.current_minutes,
        later_meetings=later,
    )


@bp.post("/meetings/<int:meeting_id>/items")
@login_required
def add_item(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    require(can_manage(current_user, meeting.body), SECRETARY_ONLY)
    form = _item_form(meeting)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.meeting", meeting_id=meeting.id))

    case = db.session.get(Case, int(form.case.data))
    presenter = db.session.get(User, int(form.presenter.data)) if form.presenter.data else None
    return act(
        lambda: services.add_item(
            current_user, meeting, case, form.decision_kind.data, form.proposal.data or "", presenter
        ),
        _("The item was added to the agenda."),
        url_for("steering.meeting", meeting_id=meeting.id),
    )


@bp.post("/meetings/<int:meeting_id>/status")
@login_required
def meeting_status(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    require(can_manage(current_user, meeting.body), SECRETARY_ONLY)
    actions = {
        "publish": (services.publish_agenda, _("The agenda was published and the members were told by e-mail.")),
        "start": (services.start_session, _("The meeting is in session.")),
        "close": (services.close_meeting, _("The meeting was closed. Write the minutes next.")),
        "inquorate": (
            services.record_inquorate,
            _(
                "The meeting was recorded as inquorate. Its items moved to the "
                "next meeting, or wait for the body if none is planned."
            ),
        ),
        "minutes": (services.create_minutes, _("The minutes were drafted from the meeting.")),
    }
    action = actions.get(request.form.get("action", ""))
    if action is None or not ConfirmForm().validate_on_submit():
        flash(_("Choose an action."), "error")
        return redirect(url_for("steering.meeting", meeting_id=meeting.id))
    function, message = action
    return act(lambda: function(current_user, meeting), message, url_for("steering.meeting", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    require(can_manage(current_user, meeting.body), SECRETARY_ONLY)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    valid_ids = {m.id for m in services.active_memberships(meeting)}
    present = {n for v in request.form.getlist("present") if (n := whole_number(v)) in valid_ids}
    stand_ins = {}
    for key, value in request.form.items():
        member, stand_in = whole_number(key[10:]), whole_number(value)
        if key.startswith("stands_in_") and member is not None and stand_in is not None:
            stand_ins[member] = stand_in
    q = services.quorum
    response = act(
        lambda: services.record_attendance(current_user, meeting, present, stand_ins),
        _("Attendance was saved."),
        url_for("steering.meeting", meeting_id=meeting.id),
    )
    db.session.refresh(meeting)
    if not q(meeting).quorate and meeting.status == MeetingStatus.IN_SESSION:
        flash(
            _(
                "The meeting is not quorate: %(present)d of %(seats)d voting members present, %(needed)d needed.",
                present=q(meeting).present,
                seats=q(meeting).seats,
                needed=q(meeting).needed,
            ),
            "error",
        )
    return response


# --- minutes --------------------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
def minutes(meeting_id: int):
    """The minutes. The body's members and the coordinator read the whole minutes (drafts too) and
    may look at the public version; everyone else reads only the public version, once approved."""
    meeting = meeting_or_404(meeting_id)
    current = meeting.current_minutes
    if current is None:
        abort(404, description=_("The minutes of this meeting have not been written yet."))
    entitled = can_see_confidential(current_user, meeting.body)
    if not entitled and not meeting.locked:
        abort(404, description=_("The minutes of this meeting are public once they have been approved and signed."))
    show_public = not entitled or request.args.get("version") == "public"
    manage = can_manage(current_user, meeting.body)
    public_draft = current.public_body or services.generate_minutes_text(meeting, public=True)
    if meeting.locked:
        form = CorrectionForm(body=current.body, public_body=public_draft)
    else:
        form = MinutesForm(body=current.body, public_body=public_draft)
    if request.method == "POST":
        require(manage, SECRETARY_ONLY)
        if form.validate_on_submit():
            if meeting.locked:
                change = lambda: services.correct_minutes(  # noqa: E731
                    current_user, meeting, form.body.data, form.public_body.data, form.note.data
                )
            else:
                change = lambda: services.edit_minutes(current_user, current, form.body.data, form.public_body.data)  # noqa: E731
            if attempt(change, _("The minutes were saved."), field=form.body):
                return redirect(url_for("steering.minutes", meeting_id=meeting.id))
    checkers = CheckersForm(formdata=None)
    present = [a.membership for a in meeting.attendances if a.present]
    checkers.first.choices = checkers.second.choices = choices((m.user_id, m.user.name) for m in present)
    by_meeting = ApproveByMeetingForm(formdata=None)
    by_meeting.meeting.choices = choices(
        (m.id, m.reference)
        for m in db.session.scalars(
            sa.select(Meeting).where(
                Meeting.body_id == meeting.body_id,
                Meeting.status == MeetingStatus.IN_SESSION.value,
                Meeting.starts_at > meeting.starts_at,
            )
        )
    )
    roles = {m.role for m in meeting.body.memberships if getattr(current_user, "id", None) == m.user_id}
    text = (current.public_body or "") if show_public else current.body
    return render_template(
        "steering/minutes.html",
        meeting=meeting,
        minutes=current,
        manage=manage,
        form=form,
        text=text,
        show_public=show_public,
        entitled=entitled,
        checkers_form=checkers,
        by_meeting_form=by_meeting,
        confirm_form=ConfirmForm(),
        is_checker=getattr(current_user, "id", None) in (meeting.checker1_id, meeting.checker2_id),
        can_sign_chair=Role.CHAIR.value in roles,
        can_sign_secretary=Role.SECRETARY.value in roles,
        member=is_member(current_user, meeting.body),
    ), (400 if form.errors else 200)


@bp.post("/meetings/<int:meeting_id>/checkers")
@login_required
def set_checkers(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    require(can_manage(current_user, meeting.body), SECRETARY_ONLY)
    form = CheckersForm()
    ids = [(m.user_id, m.user.name) for m in meeting.body.memberships]
    form.first.choices = form.second.choices = choices(ids)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.minutes", meeting_id=meeting.id))
    first, second = db.session.get(User, int(form.first.data)), db.session.get(User, int(form.second.data))
    return act(
        lambda: services.set_checkers(current_user, meeting, first, second),
        _("The minute-checkers were chosen."),
        url_for("steering.minutes", meeting_id=meeting.id),
    )


@bp.post("/minutes/<int:minutes_id>/approve")
@login_required
def approve_minutes(minutes_id: int):
    record = db.get_or_404(Minutes, minutes_id)
    meeting = record.meeting
    require(
        can_manage(current_user, meeting.body) or current_user.id in (meeting.checker1_id, meeting.checker2_id),
        _l("Only the minute-checkers approve the minutes (or the secretary records the meeting's approval)."),
    )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = url_for("steering.minutes", meeting_id=record.meeting_id)
    if request.form.get("by") == "meeting":
        require(can_manage(current_user, record.meeting.body), SECRETARY_ONLY)
        meeting_id = whole_number(request.form.get("meeting"))
        later = db.session.get(Meeting, meeting_id) if meeting_id is not None else None
        if later is None:
            flash(_("Choose the meeting."), "error")
            return redirect(back)
        return act(
            lambda: services.approve_by_meeting(current_user, record, later),
            _("The minutes were approved by meeting %(ref)s.", ref=later.reference),
            back,
        )
    return act(lambda: services.approve_as_checker(current_user, record), _("You approved the minutes."), back)


@bp.post("/minutes/<int:minutes_id>/sign")
@login_required
def sign_minutes(minutes_id: int):
    record = db.get_or_404(Minutes, minutes_id)
    roles = {m.role for m in record.meeting.body.memberships if m.user_id == current_user.id}
    require(
        bool(roles & {Role.CHAIR.value, Role.SECRETARY.value}),
        _l("Only the chair and the secretary of the body sign the minutes."),
    )
    if not ConfirmForm().validate_on_submit():
        abort(400)
    role = Role.CHAIR if request.form.get("as") == "chair" else Role.SECRETARY
    return act(
        lambda: services.sign(current_user, record, role),
        _("Your signature was recorded."),
        url_for("steering.minutes", meeting_id=record.meeting_id),
    )
