"""The provider's listings: create, edit, price, illustrate, submit, withdraw."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.actions import attempt
from app.extensions import db
from app.permissions import require
from marketplace.catalogue import services
from marketplace.catalogue.forms import ListingForm, PlanForm, ScreenshotForm, WithdrawForm
from marketplace.catalogue.models import PricingPlan, Service, ServiceScreenshot
from marketplace.catalogue.permissions import can_manage_listing, can_view_listing_workspace, is_provider_member
from marketplace.catalogue.public_views import image_response

bp = Blueprint("listings", __name__, url_prefix="/listings")
NOT_PROVIDER = _l("Listings are managed by the people of an active service provider.")
NOT_YOURS = _l("This listing belongs to another provider.")


def _service(service_id: int, manage: bool = True) -> Service:
    service = db.get_or_404(Service, service_id)
    allowed = can_manage_listing(current_user, service) if manage else can_view_listing_workspace(current_user, service)
    require(allowed, NOT_YOURS)
    return service


def _child(model, child_id: int, service: Service, missing: str):
    """A plan or screenshot of this listing, or 404."""
    child = db.session.get(model, child_id)
    if child is None or child.service_id != service.id:
        abort(404, description=missing)
    return child


@bp.get("")
@login_required
def index():
    require(is_provider_member(current_user), NOT_PROVIDER)
    org = current_user.organisation
    return render_template(
        "listings/index.html", services=services.listings_of(org), can_list=services.provider_can_list(org)
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(is_provider_member(current_user), NOT_PROVIDER)
    form = ListingForm()
    if not form.is_submitted():
        form.languages.data = ["fi"]
    if form.validate_on_submit() and (
        created := attempt(
            lambda: services.create_listing(current_user, form.data_for_service()),
            _("The listing was saved as a draft. Add a pricing plan, then submit it for review."),
        )
    ):
        return redirect(url_for("listings.show", service_id=created.value.id))
    return render_template("listings/form.html", form=form, service=None), 400 if form.errors else 200


@bp.get("/<int:service_id>")
@login_required
def show(service_id: int):
    service = _service(service_id, manage=False)
    return render_template(
        "listings/show.html",
        service=service,
        withdraw_form=WithdrawForm(formdata=None),
        can_manage=can_manage_listing(current_user, service),
        can_list=services.provider_can_list(service.organisation),
        changes=services.changes(service) if service.has_pending_changes else [],
    )


@bp.route("/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
def edit(service_id: int):
    service = _service(service_id)
    form = ListingForm()
    if not form.is_submitted():
        form.fill_from(service)
    if form.validate_on_submit() and (
        outcome := attempt(lambda: services.update_listing(current_user, service, form.data_for_service()))
    ):
        changed = outcome.value
        if not changed:
            flash(_("Nothing was changed."), "info")
        elif service.published_version is not None:
            flash(
                _(
                    "Your changes were saved. The published version stays in the catalogue until the "
                    "changes are reviewed; submit them when ready."
                ),
                "success",
            )
        else:
            flash(_("Your changes were saved."), "success")
        return redirect(url_for("listings.show", service_id=service.id))
    return render_template("listings/form.html", form=form, service=service), 400 if form.errors else 200


@bp.route("/<int:service_id>/plans/new", methods=["GET", "POST"])
@bp.route("/<int:service_id>/plans/<int:plan_id>", methods=["GET", "POST"])
@login_required
def plan(service_id: int, plan_id: int | None = None):
    service = _service(service_id)
    plan_obj = None
    if plan_id is not None:
        plan_obj = _child(PricingPlan, plan_id, service, _("There is no such pricing plan."))
    form = PlanForm()
    if not form.is_submitted() and plan_obj is not None:
        form.fill_from(plan_obj)
    if form.validate_on_submit() and attempt(
        lambda: services.save_plan(current_user, service, form.data_for_plan(), plan_obj),
        _("The pricing plan was saved."),
        field=form.unit_price,
    ):
        return redirect(url_for("listings.show", service_id=service.id))
    return render_template("listings/plan.html", form=form, service=service, plan=plan_obj), 400 if form.errors else 200


@bp.post("/<int:service_id>/plans/<int:plan_id>/delete")
@login_required
def delete_plan(service_id: int, plan_id: int):
    service = _service(service_id)
    plan_obj = _child(PricingPlan, plan_id, service, _("There is no such pricing plan."))
    attempt(lambda: services.delete_plan(current_user, service, plan_obj), _("The pricing plan was removed."))
    return redirect(url_for("listings.show", service_id=service.id))


@bp.route("/<int:service_id>/screenshots", methods=["GET", "POST"])
@login_required
def screenshots(service_id: int):
    service = _service(service_id)
    form = ScreenshotForm()
    if form.validate_on_submit():
        upload = form.image.data
        data = upload.stream.read(services.images.MAX_BYTES + 1) if upload else b""
        form.image.errors = []  # the upload's refusal replaces the field's own
        if attempt(
            lambda: services.add_screenshot(
                current_user, service, getattr(upload, "filename", None), data, form.alt_text.data.strip()
            ),
            _("The screenshot was added."),
            field=form.image,
        ):
            return redirect(url_for("listings.screenshots", service_id=service.id))
    code = 400 if form.is_submitted() else 200
    return render_template("listings/screenshots.html", form=form, service=service), code


@bp.get("/<int:service_id>/screenshots/<int:shot_id>")
@login_required
def screenshot(service_id: int, shot_id: int):
    service = _service(service_id, manage=False)
    shot = _child(ServiceScreenshot, shot_id, service, _("There is no such screenshot."))
    return image_response(shot.file, public=False)


@bp.post("/<int:service_id>/screenshots/<int:shot_id>/delete")
@login_required
def delete_screenshot(service_id: int, shot_id: int):
    service = _service(service_id)
    shot = _child(ServiceScreenshot, shot_id, service, _("There is no such screenshot."))
    attempt(lambda: services.delete_screenshot(current_user, service, shot), _("The screenshot was removed."))
    return redirect(url_for("listings.screenshots", service_id=service.id))


@bp.post("/<int:service_id>/submit")
@login_required
def submit(service_id: int):
    service = _service(service_id)
    attempt(
        lambda: services.submit(current_user, service),
        _("The listing was sent for review. You will get an e-mail when it has been reviewed."),
    )
    return redirect(url_for("listings.show", service_id=service.id))


@bp.post("/<int:service_id>/withdraw")
@login_required
def withdraw(service_id: int):
    service = _service(service_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        attempt(
            lambda: services.withdraw(current_user, service, form.reason.data or ""),
            _("The listing was withdrawn from the catalogue."),
        )
    else:
        flash(
            _(
                "The listing was not withdrawn: %(error)s",
                error=" ".join(str(e) for errors in form.errors.values() for e in errors),
            ),
            "error",
        )
    return redirect(url_for("listings.show", service_id=service.id))
