"""Public profiles of active providers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.models import Organisation, OrgKind, OrgStatus
from app.params import paginate
from app.permissions import is_coordinator
from marketplace.catalogue import search as catalogue_search
from marketplace.onboarding import services
from marketplace.onboarding.answers import public_profile
from marketplace.onboarding.review_views import _status_form

bp = Blueprint("providers", __name__, url_prefix="/providers")


@bp.get("")
def index():
    stmt = (
        sa.select(Organisation)
        .where(Organisation.kind == OrgKind.PROVIDER.value, Organisation.status == OrgStatus.ACTIVE.value)
        .order_by(Organisation.name)
    )
    page = paginate(stmt, per_page=50)
    return render_template("providers/index.html", page=page)


@bp.get("/<int:org_id>")
def show(org_id: int):
    org = db.session.get(Organisation, org_id)
    coordinator = is_coordinator(current_user)
    if org is None or org.kind != OrgKind.PROVIDER or (org.status != OrgStatus.ACTIVE and not coordinator):
        abort(404, description=_("There is no active provider with this number."))
    application = services.approved_application(org)
    public = public_profile(application) if application is not None else []
    return render_template(
        "providers/show.html",
        org=org,
        application=application,
        public=public,
        acceptance=services.latest_acceptance(org),
        listings=catalogue_search.entries_of_provider(org.id),
        status_form=_status_form() if coordinator else None,
        history=services.status_history(org) if coordinator else [],
    )
