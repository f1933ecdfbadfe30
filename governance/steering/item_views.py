"""Agenda items of a meeting: editing, conflicts of interest, votes, decisions, dissents,
attachments and follow-up tasks (the steering blueprint, governance/steering/blueprint.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import audit
from app.actions import act, attempt
from app.extensions import db
from app.files import FileRejected, download, read_pdf, store
from app.forms import ConfirmForm, choices
from app.models import User
from app.permissions import require
from app.services import ServiceError
from app.validators import whole_number
from governance.steering import services
from governance.steering.blueprint import SECRETARY_ONLY, bp, flash_errors, people_choices
from governance.steering.forms import (
    AttachmentForm,
    ConflictForm,
    DecisionForm,
    DissentForm,
    ItemEditForm,
    OpenVoteForm,
    TaskForm,
)
from governance.steering.models import (
    AgendaItem,
    Body,
    Decision,
    ItemAttachment,
    Membership,
    Resolution,
    VoteRound,
)
from governance.steering.permissions import can_manage, can_see_confidential, can_see_meeting


def _item_or_404(item_id: int) -> AgendaItem:
    item = db.get_or_404(AgendaItem, item_id)
    if not can_see_meeting(current_user, item.meeting):
        abort(404)
    return item


def _item_page(item: AgendaItem, edit_form=None, decision_form=None, code: int = 200):
    meeting = item.meeting
    body = meeting.body
    manage = can_manage(current_user, body)
    voters = services.voters(meeting, item)
    voter_choices = choices((m.id, m.user.name) for m in voters)
    present = [a.membership for a in meeting.attendances if a.present]
    if edit_form is None:
        edit_form = ItemEditForm(
            formdata=None, obj=item, version=str(item.version), presenter=str(item.presenter_id or "")
        )
    edit_form.presenter.choices = people_choices(body)
    conflict_form = ConflictForm(formdata=None)
    conflict_form.membership.choices = choices((m.id, m.user.name) for m in present)
    vote_form = OpenVoteForm(formdata=None)
    vote_form.mover.choices = vote_form.seconder.choices = voter_choices
    if decision_form is None:
        decision_form = DecisionForm(formdata=None, text=item.proposal)
    decision_form.delegated_to.choices = choices(
        [("", "–")] + [(b.id, b.code) for b in services.bodies() if b.parent_id == body.id]
    )
    dissent_form = DissentForm(formdata=None)
    dissent_form.membership.choices = choices((m.id, m.user.name) for m in present)
    task_form = TaskForm(formdata=None)
    task_form.owner_body.choices = choices([("", "–")] + [(b.id, b.code) for b in services.bodies()])
    task_form.owner_user.choices = people_choices(body)
    own = services.membership_in(current_user, body)
    return render_template(
        "steering/item.html",
        item=item,
        meeting=meeting,
        manage=manage,
        voters=voters,
        quorum=services.quorum(meeting, item),
        confidential_ok=can_see_confidential(current_user, body),
        edit_form=edit_form,
        conflict_form=conflict_form,
        vote_form=vote_form,
        decision_form=decision_form,
        dissent_form=dissent_form,
        task_form=task_form,
        attachment_form=AttachmentForm(formdata=None),
        confirm_form=ConfirmForm(),
        result=services.result,
        own=own,
        own_can_vote=own is not None and own.id in {m.id for m in voters},
        mandate_ok=body.may_decide(item.decision_kind),
    ), code


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    return _item_page(_item_or_404(item_id))


@bp.post("/items/<int:item_id>")
@login_required
def edit_item(item_id: int):
    item = _item_or_404(item_id)
    require(can_manage(current_user, item.meeting.body), SECRETARY_ONLY)
    form = ItemEditForm()
    form.presenter.choices = people_choices(item.meeting.body)
    if form.validate_on_submit():
        presenter = db.session.get(User, int(form.presenter.data)) if form.presenter.data else None
        version = whole_number(form.version.data)  # a version that is no number matches no saved one
        saved = attempt(
            lambda: services.update_item(
                current_user,
                item,
                -1 if version is None else version,
                form.proposal.data or "",
                form.decision_kind.data,
                presenter,
            ),
            _("The item was saved."),
            field=form.proposal,
            stale=_(
                "Someone else saved this item while you were editing it. Your text is kept below: compare it with "
                "the saved version and save again."
            ),
        )
        if not saved:
            db.session.refresh(item)
            form.version.data = str(item.version)  # saving again overwrites knowingly
            return _item_page(item, edit_form=form, code=409)
        return redirect(url_for("steering.item", item_id=item.id))
    return _item_page(item, edit_form=form, code=400)


@bp.post("/items/<int:item_id>/conflicts")
@login_required
def conflict(item_id: int):
    item = _item_or_404(item_id)
    body = item.meeting.body
    own = services.membership_in(current_user, body)
    require(
        can_manage(current_user, body) or own is not None,
        _l("Members declare their own conflicts of interest; the secretary records anyone's."),
    )
    form = ConflictForm()
    form.membership.choices = choices((a.membership_id, a.membership.user.name) for a in item.meeting.attendances)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.item", item_id=item.id))
    membership = db.session.get(Membership, int(form.membership.data))
    require(
        can_manage(current_user, body) or (own is not None and membership.id == own.id),
        _l("Members declare their own conflicts of interest; the secretary records anyone's."),
    )
    return act(
        lambda: services.declare_conflict(current_user, item, membership, form.reason.data),
        _("The conflict of interest was recorded; the member is out of this item's vote and quorum."),
        url_for("steering.item", item_id=item.id),
    )


@bp.post("/items/<int:item_id>/votes")
@login_required
def open_vote(item_id: int):
    item = _item_or_404(item_id)
    require(can_manage(current_user, item.meeting.body), SECRETARY_ONLY)
    form = OpenVoteForm()
    form.mover.choices = form.seconder.choices = choices((m.id, m.user.name) for m in item.meeting.body.memberships)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.item", item_id=item.id))
    mover, seconder = (
        db.session.get(Membership, int(form.mover.data)),
        db.session.get(Membership, int(form.seconder.data)),
    )
    return act(
        lambda: services.open_vote(current_user, item, form.counter_proposal.data, mover, seconder),
        _("The vote is open."),
        url_for("steering.item", item_id=item.id, _anchor="vote"),
    )


@bp.post("/votes/<int:vote_id>/ballots")
@login_required
def ballots(vote_id: int):
    """The secretary records the members' votes; a member may also cast their own."""
    vote = db.get_or_404(VoteRound, vote_id)
    item = vote.item
    body = item.meeting.body
    if not ConfirmForm().validate_on_submit():
        abort(400)
    own = services.membership_in(current_user, body)
    manage = can_manage(current_user, body)
    require(manage or own is not None, _l("Only members of the body vote."))
    choices_by_member = {}
    for key, value in request.form.items():
        member = whole_number(key[7:])
        if key.startswith("ballot_") and member is not None and value:
            choices_by_member[member] = value
    if not manage:
        choices_by_member = {own.id: choices_by_member.get(own.id, request.form.get("choice", ""))}

    def _cast():
        for membership_id, choice in choices_by_member.items():
            membership = db.session.get(Membership, membership_id)
            if membership is None or membership.body_id != body.id:
                raise ServiceError(_("Only members of the body vote."))
            services.cast_ballot(current_user, vote, membership, choice)

    attempt(_cast, _("The votes were recorded."), stale=_("This vote has already been recorded."))
    return redirect(url_for("steering.item", item_id=item.id, _anchor="vote"))


@bp.post("/votes/<int:vote_id>/close")
@login_required
def close_vote(vote_id: int):
    vote = db.get_or_404(VoteRound, vote_id)
    require(can_manage(current_user, vote.item.meeting.body), SECRETARY_ONLY)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return act(
        lambda: services.close_vote(current_user, vote),
        _("The vote was closed and the result recorded."),
        url_for("steering.item", item_id=vote.item_id, _anchor="vote"),
    )


@bp.post("/items/<int:item_id>/decision")
@login_required
def decide(item_id: int):
    item = _item_or_404(item_id)
    body = item.meeting.body
    require(can_manage(current_user, body), SECRETARY_ONLY)
    form = DecisionForm()
    form.delegated_to.choices = choices([("", "–")] + [(b.id, b.code) for b in services.bodies()])
    if form.validate_on_submit():
        delegated = db.session.get(Body, int(form.delegated_to.data)) if form.delegated_to.data else None
        if attempt(
            lambda: services.decide(
                current_user,
                item,
                Resolution(form.resolution.data),
                form.text.data,
                delegated,
                form.redacted_text.data or "",
                form.personal_data_hidden_from.data,
            ),
            _("The decision was recorded. It takes effect when the minutes are approved."),
            field=form.text,
        ):
            return redirect(url_for("steering.item", item_id=item.id))
    return _item_page(item, decision_form=form, code=400)


@bp.post("/decisions/<int:decision_id>/dissents")
@login_required
def dissent(decision_id: int):
    decision = db.get_or_404(Decision, decision_id)
    body = decision.body
    require(
        can_manage(current_user, body) or services.membership_in(current_user, body) is not None,
        _l("Members attach their own dissent; the secretary records anyone's."),
    )
    form = DissentForm()
    form.membership.choices = choices((m.id, m.user.name) for m in body.memberships)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.item", item_id=decision.item_id))
    membership = db.session.get(Membership, int(form.membership.data))
    own = services.membership_in(current_user, body)
    require(
        can_manage(current_user, body) or (own is not None and own.id == membership.id),
        _l("Members attach their own dissent; the secretary records anyone's."),
    )
    return act(
        lambda: services.add_dissent(current_user, decision, membership, form.text.data),
        _("The dissenting opinion was attached to the decision."),
        url_for("steering.item", item_id=decision.item_id),
    )


@bp.post("/items/<int:item_id>/attachments")
@login_required
def attach(item_id: int):
    item = _item_or_404(item_id)
    require(can_manage(current_user, item.meeting.body), SECRETARY_ONLY)
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.item", item_id=item.id))
    try:
        filename, data = read_pdf(
            request.files.get("file"),
            too_large=_("The file is larger than 10 MB."),
            not_pdf=_("The file is not a PDF document. Save it as PDF and try again."),
            empty=_("Choose the PDF file."),
        )
    except FileRejected as exc:
        flash(str(exc), "error")
        return redirect(url_for("steering.item", item_id=item.id))

    def _attach():
        if item.meeting.locked:
            raise ServiceError(_("The minutes are approved; the meeting's documents are locked."))
        stored = store(filename, data, "application/pdf", current_user.id)
        db.session.add(ItemAttachment(item=item, file=stored, title=form.title.data.strip(), public=form.public.data))

        audit.record(
            current_user,
            "agenda.attachment_added",
            item,
            filename=filename,
            public=form.public.data,
            sha256=stored.sha256,
        )

    return act(_attach, _("The attachment was added."), url_for("steering.item", item_id=item.id))


@bp.get("/items/<int:item_id>/attachments/<int:attachment_id>")
def attachment(item_id: int, attachment_id: int):
    item = _item_or_404(item_id)
    att = db.get_or_404(ItemAttachment, attachment_id)
    if att.item_id != item.id:
        abort(404)
    if not (att.public and not item.case.confidential) and not can_see_confidential(current_user, item.meeting.body):
        abort(403, description=_("This attachment is confidential."))
    return download(att.file)


@bp.post("/decisions/<int:decision_id>/tasks")
@login_required
def add_task(decision_id: int):
    decision = db.get_or_404(Decision, decision_id)
    require(can_manage(current_user, decision.body), SECRETARY_ONLY)
    form = TaskForm()
    form.owner_body.choices = choices([("", "–")] + [(b.id, b.code) for b in services.bodies()])
    form.owner_user.choices = people_choices(decision.body)
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("steering.item", item_id=decision.item_id, _anchor="tasks"))
    owner_body = db.session.get(Body, int(form.owner_body.data)) if form.owner_body.data else None
    owner_user = db.session.get(User, int(form.owner_user.data)) if form.owner_user.data else None
    return act(
        lambda: services.add_task(
            current_user, decision, form.description.data, form.due_on.data, owner_body, owner_user
        ),
        _("The follow-up task was added."),
        url_for("steering.item", item_id=decision.item_id, _anchor="tasks"),
    )
