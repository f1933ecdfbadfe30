"""The coordinator's review of joining applications, and provider status."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.actions import attempt, save
from app.extensions import db
from app.files import download
from app.forms import choices
from app.models import Organisation
from app.params import paginate
from app.permissions import coordinator_required, require
from governance.steering import services as steering
from marketplace.onboarding import services
from marketplace.onboarding.answers import all_answers, field_label
from marketplace.onboarding.forms import ProviderStatusForm, ReviewCommentForm, ReviewDecisionForm
from marketplace.onboarding.models import ApplicationAttachment, ApplicationStatus, PreAssessment, ProviderApplication
from marketplace.onboarding.preassessment import REASONS
from marketplace.onboarding.steps import ATTACHMENT_KINDS, BY_SLUG

bp = Blueprint("review", __name__)

AGES = {"week": _l("Submitted in the last 7 days"), "month": _l("8–30 days ago"), "older": _l("Over 30 days ago")}


@bp.get("/admin/applications")
@coordinator_required
def queue():
    status = request.args.get("status", "")
    pre = request.args.get("pre", "")
    age = request.args.get("age", "")
    status = status if status in {s.value for s in ApplicationStatus} else ""
    pre = pre if pre in {p.value for p in PreAssessment} else ""
    age = age if age in AGES else ""
    page = paginate(services.review_queue(status or None, pre or None, age or None), per_page=50)
    args = {k: v for k, v in {"status": status, "pre": pre, "age": age}.items() if v}
    return render_template(
        "review/queue.html",
        page=page,
        status=status,
        pre=pre,
        age=age,
        ages=AGES,
        args=args,
        statuses=services.APPLICATION_STATUS_LABELS,
        pres=services.PRE_ASSESSMENT_LABELS,
    )


def _page(application: ProviderApplication, decision_form=None, comment_form=None, code: int = 200):
    changes = [
        (
            BY_SLUG[c.step],
            field_label(BY_SLUG[c.step], c.field)
            if c.step != "attachments"
            else str(ATTACHMENT_KINDS.get(c.field, c.field)),
            c,
        )
        for c in services.changes_since_last_submission(application)
    ]
    return render_template(
        "review/application.html",
        application=application,
        answers=all_answers(application),
        kinds=ATTACHMENT_KINDS,
        reasons=REASONS,
        changes=changes,
        decision_form=decision_form or ReviewDecisionForm(formdata=None),
        comment_form=comment_form or ReviewCommentForm(formdata=None),
        status_form=_status_form(),
        history=services.status_history(application.organisation),
    ), code


def _status_form() -> ProviderStatusForm:
    form = ProviderStatusForm(formdata=None)
    form.decision.choices = decision_choices(status_decisions())
    return form


@bp.get("/admin/applications/<int:application_id>")
@coordinator_required
def application(application_id: int):
    return _page(db.get_or_404(ProviderApplication, application_id))


@bp.post("/admin/applications/<int:application_id>/decision")
@coordinator_required
def decide(application_id: int):
    application = db.get_or_404(ProviderApplication, application_id)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
        # Decided meanwhile: the page no longer shows the form, so its errors would go unseen.
        flash(
            _(
                "This action is not possible while the application is %(status)s.",
                status=services.application_status_label(application.status),
            ),
            "error",
        )
        return redirect(url_for("review.application", application_id=application.id))
    form = ReviewDecisionForm()
    if form.validate_on_submit() and attempt(
        lambda: services.decide(current_user, application, form.action.data, form.message.data or ""),
        field=form.message,
    ):
        flash(_("Saved. The applicant was told by e-mail."), "success")
        return redirect(url_for("review.application", application_id=application.id))
    return _page(application, decision_form=form, code=400)


@bp.post("/admin/applications/<int:application_id>/comments")
@coordinator_required
def comment(application_id: int):
    application = db.get_or_404(ProviderApplication, application_id)
    form = ReviewCommentForm()
    if form.validate_on_submit():
        services.add_review_comment(current_user, application, form.body.data, form.visible.data)
        save()
        flash(_("The comment was added."), "success")
        return redirect(url_for("review.application", application_id=application.id, _anchor="comments"))
    return _page(application, comment_form=form, code=400)


@bp.get("/admin/applications/<int:application_id>/attachments/<int:attachment_id>")
@coordinator_required
def attachment(application_id: int, attachment_id: int):
    item = db.get_or_404(ApplicationAttachment, attachment_id)
    require(item.application_id == application_id, _l("This attachment belongs to another application."))
    return download(item.file)


@bp.post("/admin/providers/<int:org_id>/status")
@coordinator_required
def provider_status(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = ProviderStatusForm()
    decisions = status_decisions()
    form.decision.choices = decision_choices(decisions)
    back = request.form.get("back", "")
    if form.validate_on_submit():
        decision = decisions.get(int(form.decision.data)) if (form.decision.data or "").isdigit() else None
        if attempt(
            lambda: services.set_provider_status(current_user, org, form.status.data, form.reason.data, decision)
        ):
            flash(
                _(
                    "The status of %(org)s is now: %(status)s.",
                    org=org.name,
                    status=services.provider_status_label(org.status),
                ),
                "success",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    target = (
        url_for("providers.show", org_id=org.id) if back == "provider" else url_for("admin.organisation", org_id=org.id)
    )
    return redirect(target)


def status_decisions() -> dict:
    """Decisions in effect that may suspend or terminate providers."""
    return {d.id: d for d in steering.decisions_for_kind(("provider_suspension", "provider_termination"))}


def decision_choices(decisions: dict) -> list:
    return choices([("", "–")] + [(d.id, f"{d.reference}: {d.case.title}") for d in decisions.values()])
