"""The public decision register: list with filters and search, a page per
decision and per case, an Atom feed and a CSV download."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from app.clock import helsinki_today
from app.csvutil import csv_response
from app.extensions import db, utcnow
from app.params import paginate
from app.urls import external_url
from governance.register import services
from governance.steering import services as steering
from governance.steering.forms import KIND_LABELS, LEVEL_LABELS, RESOLUTION_LABELS

bp = Blueprint("register", __name__, url_prefix="/register")
FEED_SIZE = 50
CSV_LIMIT = 10_000


@bp.get("")
def index():
    parsed = services.parse_filters(request.args)
    page = paginate(services.register_query(parsed.filters), per_page=25)
    return render_template(
        "register/index.html",
        page=page,
        filters=parsed.filters,
        errors=parsed.errors,
        args=parsed.filters.as_args(),
        bodies=steering.bodies(),
        today=helsinki_today(),
        levels=LEVEL_LABELS,
        resolutions=RESOLUTION_LABELS,
        kinds=KIND_LABELS,
    )


@bp.get("/<slug>")
def decision(slug: str):
    decision = services.decision_by_slug(slug)
    if decision is None:
        abort(404, description=_("There is no decision %(ref)s in the register.", ref=slug[:40]))
    return render_template("register/decision.html", decision=decision, today=helsinki_today())


@bp.get("/cases/<record>")
def case(record: str):
    case, decisions = services.case_decisions(record)
    if case is None or not decisions:
        abort(404, description=_("There is no case %(record)s in the register.", record=record[:20]))
    return render_template("register/case.html", case=case, decisions=decisions, today=helsinki_today())


@bp.get("/feed.atom")
@bp.get("/feed/<code>.atom")
def feed(code: str | None = None):
    filters = services.Filters()
    if code is not None:
        if steering.body_by_code(code) is None:
            abort(404)
        filters.body = code
    decisions = list(db.session.scalars(services.register_query(filters).limit(FEED_SIZE)))
    updated = max((d.effective_at for d in decisions), default=utcnow())
    xml = render_template("register/feed.xml", decisions=decisions, updated=updated, code=code, today=helsinki_today())
    return Response(xml, mimetype="application/atom+xml")


@bp.get("/decisions.csv")
def csv_download():
    parsed = services.parse_filters(request.args)
    today = helsinki_today()
    rows = (
        [
            d.reference,
            d.decided_on.isoformat(),
            d.body.code,
            d.title,
            d.case.record_number,
            d.kind,
            d.resolution,
            "" if d.case.confidential else d.public_text(today),
            external_url("register.decision", slug=d.slug),
        ]
        for d in db.session.scalars(services.register_query(parsed.filters).limit(CSV_LIMIT))
    )
    header = [
        _("Reference"),
        _("Date"),
        _("Body"),
        _("Title"),
        _("Case"),
        _("Kind of decision"),
        _("Resolution"),
        _("Decision"),
        _("Address"),
    ]
    return csv_response("decisions.csv", header, rows)
