"""Dashboards: the ecosystem's, the steering bodies', a municipality's and a provider's
figures as charts, each with its figures as a table and a CSV download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.charts import chart_csv_response
from app.clock import helsinki_today
from app.extensions import db
from app.forms import INVALID_CHOICES
from app.models import Organisation, OrgKind
from app.params import query_id
from app.permissions import is_coordinator, require
from marketplace.insights import charts, permissions, services

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")

TITLES = {
    "ecosystem": _l("Ecosystem dashboard"),
    "governance": _l("Governance dashboard"),
    "municipality": _l("Municipality dashboard"),
    "provider": _l("Provider dashboard"),
}
INTROS = {
    "ecosystem": _l(
        "Providers, the catalogue, the rules, orders and spend, and how concentrated the market is, "
        "over the last two years."
    ),
    "governance": _l(
        "The steering bodies' decisions, referrals, handling times, follow-up and attendance over the last two years."
    ),
    "municipality": _l(
        "Your municipality's spend, orders and licences. Figures of other municipalities are not shown here."
    ),
    "provider": _l("Your listings' page views in the catalogue, your orders and your receivables."),
}
ACCESS: dict[str, tuple[Callable[[Any], bool], Any]] = {
    "ecosystem": (
        permissions.can_see_ecosystem,
        _l("The ecosystem dashboard is for the coordinator and the steering group."),
    ),
    "governance": (
        permissions.can_see_governance,
        _l("The governance dashboard is for the coordinator and the members of the steering bodies."),
    ),
    "municipality": (
        permissions.can_see_municipality,
        _l("The municipality dashboard is for the people of a municipality."),
    ),
    "provider": (permissions.can_see_provider, _l("The provider dashboard is for the people of a provider.")),
}
ORG_KIND = {"municipality": OrgKind.MUNICIPALITY.value, "provider": OrgKind.PROVIDER.value}


def _allowed(name: str) -> None:
    check, reason = ACCESS[name]
    require(check(current_user), reason)


def _organisation(name: str) -> tuple[Organisation | None, list[tuple[int, str]]]:
    """The organisation whose figures are shown: one's own; the coordinator picks any (?organisation=)."""
    kind = ORG_KIND.get(name)
    if kind is None:
        return None, []
    if not is_coordinator(current_user):
        return current_user.organisation, []
    options = [
        (i, n)
        for i, n in db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(Organisation.kind == kind).order_by(Organisation.name)
        )
    ]
    chosen = query_id("organisation", message=str(INVALID_CHOICES))
    found_id = next((i for i, _n in options if i == chosen), options[0][0] if options else None)
    return (db.session.get(Organisation, found_id) if found_id is not None else None), options


def _context(name: str) -> tuple[charts.Context, list[tuple[int, str]]]:
    organisation, options = _organisation(name)
    if name in ORG_KIND and organisation is None:
        abort(404, description=_l("There is no organisation to show figures for."))
    return charts.Context(helsinki_today(), organisation), options


@bp.get("")
@login_required
def index():
    available = [name for name, (check, _reason) in ACCESS.items() if check(current_user)]
    require(
        bool(available), _l("Dashboards are for the coordinator, the steering bodies, municipalities and providers.")
    )
    return render_template("dashboards/index.html", available=available, titles=TITLES, intros=INTROS)


@bp.get("/<any(ecosystem, governance, municipality, provider):name>")
@login_required
def dashboard(name: str):
    _allowed(name)
    ctx, options = _context(name)
    org_args = {"organisation": ctx.organisation.id} if options and ctx.organisation else {}
    built = [
        (builder(ctx), url_for("dashboards.csv", name=name, key=key, **org_args))
        for key, builder in charts.DASHBOARDS[name]
    ]
    extra: dict[str, Any] = {}
    if name == "municipality":
        extra["ending"] = services.orders_ending(ctx.today, ctx.organisation.id)
        extra["ending_count"] = services.orders_ending_count(ctx.today, ctx.organisation.id)
        extra["active"] = services.active_orders(ctx.today, ctx.organisation.id)
    return render_template(
        "dashboards/dashboard.html",
        name=name,
        title=TITLES[name],
        intro=INTROS[name],
        charts=built,
        organisation=ctx.organisation,
        options=options,
        **extra,
    )


@bp.get("/<any(ecosystem, governance, municipality, provider):name>/<key>.csv")
@login_required
def csv(name: str, key: str):
    _allowed(name)
    builder = dict(charts.DASHBOARDS[name]).get(key)
    if builder is None:
        abort(404, description=_l("This dashboard has no such chart."))
    ctx, _options = _context(name)
    return chart_csv_response(builder(ctx))


@bp.app_template_global()
def can_see_dashboards(user: Any) -> bool:
    return permissions.can_see_any(user)
