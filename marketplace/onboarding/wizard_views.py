"""The joining application wizard at /join."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.actions import attempt, save, undo
from app.extensions import db
from app.files import FileRejected, download, read_pdf
from app.forms import ConfirmForm
from app.permissions import require
from app.security import client_address
from app.services import ServiceError
from governance.rules import services as rules
from marketplace.onboarding import services
from marketplace.onboarding.answers import all_answers, raw_from_request, to_formdata
from marketplace.onboarding.models import ApplicationAttachment, ProviderApplication
from marketplace.onboarding.permissions import can_submit_application, can_view_application, is_provider_user
from marketplace.onboarding.steps import ATTACHMENT_KINDS, BY_SLUG, STEPS, next_step

bp = Blueprint("join", __name__, url_prefix="/join")

PROVIDERS_ONLY = _l("The joining application is for service providers. Start a provider organisation first.")


@bp.app_template_global()
def joining_application(org) -> ProviderApplication | None:
    """The provider's open or latest joining application (the organisation page tells where it stands)."""
    return services.current_application(org)


def _application(start: bool = True) -> ProviderApplication:
    """The organisation's application; a new one is started when there is none and `start` is set
    (submitting or withdrawing never starts one: there is nothing to submit or withdraw)."""
    require(is_provider_user(current_user), PROVIDERS_ONLY)
    org = current_user.organisation
    application = services.current_application(org)
    if application is None or not (application.is_open or application.status == "approved"):
        if not start:
            flash(_("%(org)s has no open joining application.", org=org.name), "info")
            abort(redirect(url_for("orgs.organisation")))
        if org.status != "applicant":
            # Providers approved before the platform (or suspended ones) have nothing to apply for.
            flash(
                _("%(org)s is already a provider of the ecosystem; there is no application to fill in.", org=org.name),
                "info",
            )
            abort(redirect(url_for("orgs.organisation")))
        application = services.start_application(current_user)
        save()
    return application


def _context(application: ProviderApplication, current: str) -> dict:
    return {
        "application": application,
        "steps": STEPS,
        "current": current,
        "completed": set(application.completed_steps or []),
        "missing": services.missing_steps(application),
    }


@bp.get("")
@login_required
def start():
    application = _application()
    if not application.is_editable:
        return redirect(url_for("join.summary"))
    missing = services.missing_steps(application)
    return redirect(url_for("join.step", slug=missing[0]) if missing else url_for("join.summary"))


@bp.route("/step/<slug>", methods=["GET", "POST"])
@login_required
def step(slug: str):
    step = BY_SLUG.get(slug)
    if step is None:
        abort(404)
    application = _application()
    if not application.is_editable:
        flash(
            _(
                "The application has been submitted and is being handled. It can be edited only if the coordinator "
                "asks for changes."
            ),
            "info",
        )
        return redirect(url_for("join.summary"))
    if slug == "attachments":
        return _attachments(application)
    version = rules.version_in_force() if slug == "rules" else None
    already_accepted = version is not None and rules.acceptance_of(application.organisation, version) is not None
    nothing_to_accept = slug == "rules" and (version is None or already_accepted)
    if request.method == "POST":
        form = step.form()
        valid = form.validate()
        raw = raw_from_request(form)
        if nothing_to_accept:
            valid, raw = form.csrf_token.errors == [], {}
        elif slug == "rules" and form.sha256.data != version.body_sha256:
            form.signatory_name.errors.append(_("The rules changed while you were reading. Read them again."))
            valid = False
        try:
            services.save_step(current_user, application, slug, raw, valid)
        except ServiceError as exc:
            undo()
            flash(str(exc), "error")
            return redirect(url_for("join.summary"))
        save()
        if valid:
            flash(_("Saved."), "success")
            following = next_step(slug)
            return redirect(url_for("join.step", slug=following.slug) if following else url_for("join.summary"))
        flash(_("The step was saved as a draft, but some answers need attention."), "error")
    else:
        stored = application.step(slug)
        form = step.form(formdata=to_formdata(stored) if stored else None)
        if slug == "rules" and version is not None:
            form.sha256.data = version.body_sha256
    return render_template(
        "join/step.html",
        form=form,
        step=step,
        version=version,
        already_accepted=already_accepted,
        nothing_to_accept=nothing_to_accept,
        **_context(application, slug),
    )


def _attachments(application: ProviderApplication):
    step = BY_SLUG["attachments"]
    form = step.form()
    if request.method == "POST" and form.validate():
        for kind in ATTACHMENT_KINDS:
            upload = request.files.get(kind)
            if upload is None or not upload.filename:
                if application.attachment(kind) is None:
                    getattr(form, kind).errors.append(_("Choose the PDF file."))
                continue
            try:
                filename, data = read_pdf(
                    upload,
                    too_large=_("The file is larger than 10 MB."),
                    not_pdf=_("The file is not a PDF document. Save it as PDF and try again."),
                    empty=_("The file is empty."),
                )
                services.save_attachment(current_user, application, kind, filename, data)
            except FileRejected as exc:
                getattr(form, kind).errors.append(str(exc))
        complete = all(application.attachment(kind) is not None for kind in ATTACHMENT_KINDS)
        services.save_step(current_user, application, "attachments", {}, complete)
        save()
        if complete and not form.errors:
            flash(_("Saved."), "success")
            return redirect(url_for("join.step", slug="rules"))
    return render_template(
        "join/attachments.html", form=form, step=step, kinds=ATTACHMENT_KINDS, **_context(application, "attachments")
    )


@bp.get("/summary")
@login_required
def summary():
    application = _application()
    return render_template(
        "join/summary.html",
        answers=all_answers(application),
        kinds=ATTACHMENT_KINDS,
        can_submit=can_submit_application(current_user, application),
        confirm_form=ConfirmForm(),
        comments=[c for c in application.comments if c.visible_to_applicant],
        **_context(application, "summary"),
    )


@bp.post("/submit")
@login_required
def submit():
    application = _application(start=False)
    if ConfirmForm().validate_on_submit():
        attempt(
            lambda: services.submit(current_user, application, client_address()),
            _("Thank you. The application was submitted; the coordinator will review it and tell you by e-mail."),
        )
    return redirect(url_for("join.summary"))


@bp.post("/withdraw")
@login_required
def withdraw():
    application = _application(start=False)
    require(
        can_submit_application(current_user, application),
        _l("Only an admin of the organisation can withdraw the application."),
    )
    if ConfirmForm().validate_on_submit() and attempt(lambda: services.withdraw(current_user, application)):
        flash(_("The application was withdrawn."), "success")
    return redirect(url_for("orgs.organisation"))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    item = db.get_or_404(ApplicationAttachment, attachment_id)
    require(
        can_view_application(current_user, item.application),
        _l("Attachments are shown to the applicant and the coordinator only."),
    )
    return download(item.file)


@bp.app_template_global()
def application_status_label(status: str) -> str:
    return services.application_status_label(status)


@bp.app_template_global()
def pre_assessment_label(value: str | None) -> str:
    return str(services.PRE_ASSESSMENT_LABELS.get(value or "", value or "–"))


@bp.app_template_filter()
def filesize(size: int) -> str:

    if size >= 1024 * 1024:
        return f"{format_decimal(round(size / (1024 * 1024), 1))} MB"
    return f"{format_decimal(max(1, round(size / 1024)))} kB"
