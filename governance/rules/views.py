"""Rules of the ecosystem: public pages, drafting, consultation, adoption, acceptance."""

from __future__ import annotations

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.actions import attempt, save
from app.clock import helsinki_today
from app.csvutil import csv_response
from app.extensions import db
from app.forms import choices
from app.permissions import require
from app.security import client_address
from governance.rules import services
from governance.rules.diff import diff_texts
from governance.rules.forms import AcceptForm, AdoptForm, CommentForm, ConsultationForm, ResponseForm, RulesDraftForm
from governance.rules.models import RulesComment, RulesStatus, RulesVersion
from governance.rules.permissions import can_accept_rules, can_comment, can_manage_rules, can_see_version

bp = Blueprint("rules", __name__, url_prefix="/rules")

COORDINATOR_ONLY = _l("Only the ecosystem coordinator's staff manage the rules.")


def _version_or_404(label: str) -> RulesVersion:
    version = services.version_by_label(label)
    if version is None or not can_see_version(current_user, version):
        abort(404, description=_("There is no version %(label)s of the rules.", label=label[:20]))
    return version


def _comment_form(version: RulesVersion) -> CommentForm:
    form = CommentForm()
    form.section.choices = choices([("", _("The rules as a whole"))] + [(s, s) for s in version.sections()])
    return form


@bp.get("")
def index():
    version = services.version_in_force()
    title, body, shown_locale = version.text_for(str(get_locale())) if version else ("", "", "fi")
    return render_template(
        "rules/index.html",
        version=version,
        title=title,
        body=body,
        shown_locale=shown_locale,
        upcoming=services.upcoming_version(),
        consultations=services.open_consultations(),
    )


@bp.get("/versions")
def versions():
    return render_template(
        "rules/versions.html", versions=services.versions(include_drafts=can_manage_rules(current_user))
    )


@bp.get("/<label>")
def show(label: str):
    version = _version_or_404(label)
    today = helsinki_today()
    title, body, shown_locale = version.text_for(str(get_locale()))
    manage = can_manage_rules(current_user)
    all_comments = services.comments(version)
    if manage or version.consultation_closed(today):
        visible_comments = all_comments
    elif current_user.is_authenticated:
        visible_comments = [c for c in all_comments if c.user_id == current_user.id]
    else:
        visible_comments = []
    acceptance = None
    if current_user.is_authenticated and current_user.organisation is not None:
        acceptance = services.acceptance_of(current_user.organisation, version)
    return render_template(
        "rules/show.html",
        version=version,
        title=title,
        body=body,
        shown_locale=shown_locale,
        manage=manage,
        comments=visible_comments,
        comments_public=version.consultation_closed(today),
        comment_form=_comment_form(version) if version.consultation_open(today) and can_comment(current_user) else None,
        consultation_form=ConsultationForm() if manage and version.is_draft else None,
        response_form=ResponseForm(formdata=None) if manage else None,
        acceptance=acceptance,
        can_accept=can_accept_rules(current_user) and version.is_acceptable,
        today=today,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(can_manage_rules(current_user), COORDINATOR_ONLY)
    return _draft_page(None)


@bp.route("/<label>/edit", methods=["GET", "POST"])
@login_required
def edit(label: str):
    require(can_manage_rules(current_user), COORDINATOR_ONLY)
    version = _version_or_404(label)
    if not version.is_draft:
        flash(_("Only a draft can be edited. Version %(label)s is no longer a draft.", label=version.label), "error")
        return redirect(url_for("rules.show", label=version.label))
    return _draft_page(version)


def _draft_page(version: RulesVersion | None):
    """The draft form, for a new draft (version None) or an existing one."""
    form = RulesDraftForm(obj=version)
    if version is not None and request.method == "GET":
        for translation in version.translations:
            getattr(form, f"title_{translation.locale}").data = translation.title
            getattr(form, f"body_{translation.locale}").data = translation.body
    if form.validate_on_submit():
        values = (form.label.data, form.title.data, form.body.data, form.translations())

        def _save() -> RulesVersion:
            if version is None:
                return services.create_draft(current_user, *values)
            services.update_draft(current_user, version, *values)
            return version

        if saved := attempt(_save, lambda draft: _("Draft %(label)s was saved.", label=draft.label), field=form.label):
            return redirect(url_for("rules.show", label=saved.value.label))
    return render_template("rules/edit.html", form=form, version=version)


@bp.post("/<label>/consultation")
@login_required
def open_consultation(label: str):
    require(can_manage_rules(current_user), COORDINATOR_ONLY)
    version = _version_or_404(label)
    form = ConsultationForm()
    if form.validate_on_submit():
        if attempt(lambda: services.open_consultation(current_user, version, form.closes_on.data)):
            flash(
                _(
                    "Version %(label)s is open for comment until %(date)s.",
                    label=version.label,
                    date=version.consultation_closes_on.strftime("%d.%m.%Y"),
                ),
                "success",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("rules.show", label=version.label))


@bp.post("/<label>/comments")
@login_required
def comment(label: str):
    version = _version_or_404(label)
    require(can_comment(current_user), _l("Providers and municipalities comment on the rules."))
    form = _comment_form(version)
    if form.validate_on_submit() and attempt(
        lambda: services.add_comment(current_user, version, form.section.data or "", form.body.data),
        _("Thank you. Your comment was saved and will be published when the consultation closes."),
        field=form.body,
    ):
        return redirect(url_for("rules.show", label=version.label, _anchor="comments"))
    return render_template("rules/comment.html", version=version, form=form), 400


@bp.post("/comments/<int:comment_id>/response")
@login_required
def respond(comment_id: int):
    require(can_manage_rules(current_user), COORDINATOR_ONLY)
    comment = db.get_or_404(RulesComment, comment_id)
    form = ResponseForm()
    if form.validate_on_submit():
        attempt(
            lambda: services.respond_to_comment(current_user, comment, form.response.data), _("The response was saved.")
        )
    else:
        flash(_("Write the response."), "error")
    return redirect(url_for("rules.show", label=comment.version.label, _anchor=f"comment-{comment.id}"))


@bp.route("/<label>/adopt", methods=["GET", "POST"])
@login_required
def adopt(label: str):
    require(can_manage_rules(current_user), COORDINATOR_ONLY)
    version = _version_or_404(label)
    form = AdoptForm()
    decisions = {d.id: d for d in services.adoption_decisions_for(version)}
    form.decision.choices = choices(
        [("", "–")] + [(d.id, f"{d.reference}: {d.case.title}") for d in decisions.values()]
    )
    if form.validate_on_submit():
        decision = decisions.get(int(form.decision.data)) if form.decision.data.isdigit() else None

        def _adopt() -> None:
            services.adopt(current_user, version, decision, form.effective_date.data, form.reacceptance_deadline.data)
            services.activate_due_versions()

        if attempt(_adopt, _("Version %(label)s was adopted.", label=version.label), field=form.decision):
            return redirect(url_for("rules.show", label=version.label))
    return render_template("rules/adopt.html", version=version, form=form, has_decisions=bool(decisions))


@bp.route("/<label>/accept", methods=["GET", "POST"])
@login_required
def accept(label: str):
    require(
        can_accept_rules(current_user),
        _l("The rules are accepted by an admin of a service provider, who signs for the organisation."),
    )
    version = _version_or_404(label)
    existing = services.acceptance_of(current_user.organisation, version)
    if existing is not None and request.method == "POST":
        flash(
            _(
                "%(org)s has already accepted version %(label)s.",
                org=current_user.organisation.name,
                label=version.label,
            ),
            "info",
        )
        return redirect(url_for("rules.show", label=version.label))
    form = AcceptForm()
    if request.method == "GET":
        form.sha256.data = version.body_sha256
    if form.validate_on_submit():
        accepted = attempt(
            lambda: services.accept(
                current_user,
                version,
                form.signatory_name.data,
                form.signatory_title.data,
                form.authority.data,
                client_address(),
                form.sha256.data or "",
            ),
            _(
                "Thank you. %(org)s has accepted version %(label)s of the rules.",
                org=current_user.organisation.name,
                label=version.label,
            ),
            field=form.signatory_name,
            # accepted at the same moment in another tab or by a colleague
            stale=_(
                "%(org)s has already accepted version %(label)s.",
                org=current_user.organisation.name,
                label=version.label,
            ),
        )
        if accepted or accepted.lost_race:
            return redirect(url_for("rules.show", label=version.label))
    title, body, shown_locale = version.text_for(str(get_locale()))
    return render_template(
        "rules/accept.html",
        version=version,
        form=form,
        existing=existing,
        title=title,
        body=body,
        shown_locale=shown_locale,
    )


@bp.get("/diff/<a>/<b>")
def diff(a: str, b: str):
    old, new = _version_or_404(a), _version_or_404(b)
    return render_template(
        "rules/diff.html", old=old, new=new, diff=diff_texts(old.body, new.body), title_changed=old.title != new.title
    )


@bp.get("/compare")
def compare():
    a, b = request.args.get("a", ""), request.args.get("b", "")
    _version_or_404(a)
    _version_or_404(b)
    return redirect(url_for("rules.diff", a=a, b=b))


def _acceptance_version() -> RulesVersion:
    label = request.args.get("version", "")
    version = services.version_by_label(label) if label else services.version_in_force()
    if version is None or version.status not in (RulesStatus.ADOPTED, RulesStatus.IN_FORCE, RulesStatus.SUPERSEDED):
        abort(404, description=_("There is no adopted version to report on."))
    return version


@bp.get("/acceptances")
@login_required
def acceptances():
    require(can_manage_rules(current_user), COORDINATOR_ONLY)
    version = _acceptance_version()
    rows = services.acceptance_report(version)
    return render_template(
        "rules/acceptances.html",
        version=version,
        rows=rows,
        accepted=sum(1 for r in rows if r.acceptance),
        past_deadline=services.is_past_deadline(version),
    )


@bp.get("/acceptances.csv")
@login_required
def acceptances_csv():
    require(can_manage_rules(current_user), COORDINATOR_ONLY)
    version = _acceptance_version()
    header = [
        _("Organisation"),
        _("Business ID (Y-tunnus)"),
        _("Accepted"),
        _("Accepted at"),
        _("Signatory"),
        _("Title of the signatory"),
        _("SHA-256 of the accepted text"),
        _("In good standing"),
    ]
    rows = (
        [
            row.organisation.name,
            row.organisation.business_id or "",
            _("yes") if row.acceptance else _("no"),
            row.acceptance.accepted_at.isoformat(timespec="seconds") if row.acceptance else "",
            row.acceptance.signatory_name if row.acceptance else "",
            row.acceptance.signatory_title if row.acceptance else "",
            row.acceptance.text_sha256 if row.acceptance else "",
            _("yes") if row.in_good_standing else _("no"),
        ]
        for row in services.acceptance_report(version)
    )
    return csv_response(f"rules-{version.label}-acceptances.csv", header, rows)


STATUS_LABELS = {
    RulesStatus.DRAFT: _l("Draft"),
    RulesStatus.CONSULTATION: _l("In consultation"),
    RulesStatus.ADOPTED: _l("Adopted"),
    RulesStatus.IN_FORCE: _l("In force"),
    RulesStatus.SUPERSEDED: _l("Superseded"),
}


@bp.app_template_global()
def rules_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@bp.app_context_processor
def _rules_banner() -> dict:
    """Providers see a banner while a version in force or adopted waits for their acceptance."""
    if not getattr(current_user, "is_authenticated", False) or not can_accept_rules(current_user):
        return {}
    pending = services.pending_acceptance_for(current_user.organisation)
    if pending is None:
        return {}
    return {"rules_pending": pending, "rules_overdue": services.is_past_deadline(pending)}


@bp.cli.command("activate")
def activate_command() -> None:
    """Bring adopted versions whose date has come into force (safe to run from cron)."""
    result = services.activate_due_versions()
    save()
    if result.entered is None:
        click.echo("No version is due; nothing changed.")
    else:
        click.echo(
            f"Version {result.entered.label} is now in force; superseded: "
            f"{', '.join(v.label for v in result.superseded) or '-'}"
        )
