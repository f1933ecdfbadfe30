"""The coordinator's review of listings: what changed, publish or return."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.actions import attempt
from app.extensions import db
from app.permissions import coordinator_required
from governance.rules.diff import diff_texts
from marketplace.catalogue import services
from marketplace.catalogue.forms import PublishForm, ReturnForm
from marketplace.catalogue.models import Service
from marketplace.catalogue.vocab import ListingStatus

bp = Blueprint("listing_review", __name__, url_prefix="/admin/listings")
TEXT_FIELDS = {"name", "summary", "summary_sv", "summary_en", "description"}


@bp.get("")
@coordinator_required
def queue():
    return render_template("listings/review_queue.html", services=services.review_queue())


def _page(service: Service, publish_form=None, return_form=None, code: int = 200):
    changes = []
    for change in services.changes(service):
        diff = None
        if change.field in TEXT_FIELDS:
            diff = diff_texts(change.old or "", change.new or "")
        changes.append((change, diff))
    return render_template(
        "listings/review.html",
        service=service,
        changes=changes,
        revision=services.published_revision(service),
        publish_form=publish_form or PublishForm(formdata=None),
        return_form=return_form or ReturnForm(formdata=None),
        text_fields=TEXT_FIELDS,
    ), code


@bp.get("/<int:service_id>")
@coordinator_required
def show(service_id: int):
    return _page(db.get_or_404(Service, service_id))


@bp.post("/<int:service_id>/publish")
@coordinator_required
def publish(service_id: int):
    service = db.get_or_404(Service, service_id)
    if service.status != ListingStatus.IN_REVIEW:  # handled meanwhile: the page no longer shows the form
        flash(_("Only a listing in review can be published."), "error")
        return redirect(url_for("listing_review.show", service_id=service.id))
    form = PublishForm()
    if form.validate_on_submit() and attempt(
        lambda: services.publish(current_user, service, (form.comment.data or "").strip()), field=form.comment
    ):
        flash(_("The listing was published."), "success")
        return redirect(url_for("listing_review.queue"))
    return _page(service, publish_form=form, code=400)


@bp.post("/<int:service_id>/return")
@coordinator_required
def return_listing(service_id: int):
    service = db.get_or_404(Service, service_id)
    if service.status != ListingStatus.IN_REVIEW:  # handled meanwhile: the page no longer shows the form
        flash(_("Only a listing in review can be returned."), "error")
        return redirect(url_for("listing_review.show", service_id=service.id))
    form = ReturnForm()
    if form.validate_on_submit() and attempt(
        lambda: services.return_listing(current_user, service, form.comment.data),
        _("The listing was returned to the provider."),
        field=form.comment,
    ):
        return redirect(url_for("listing_review.queue"))
    return _page(service, return_form=form, code=400)
