"""Amounts: terms, line prices, VAT and the totals of a request from the published plans."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from marketplace.catalogue.models import CatalogueEntry, ServiceRevision
from marketplace.catalogue.search import visible_providers
from marketplace.catalogue.vocab import PriceModel
from marketplace.procurement.models import (
    ProcurementRequest,
    RequestLine,
)
from marketplace.procurement.services._common import THRESHOLD_CENTS


def term_months(start: date, end: date) -> int:
    """Months in an inclusive term, a started month counting as whole (1.8.-31.7. is 12)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, months) - timedelta(days=1) < end:
        months += 1
    return max(1, months)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def line_net_cents(model: str, unit_price_cents: int, quantity: int, months: int) -> int:
    """A line's price excluding VAT for its term, rounded to the cent."""
    unit = Decimal(unit_price_cents)
    if model == PriceModel.FREE:
        return 0
    if model == PriceModel.ONE_OFF:
        return _cents(unit * quantity)
    if model == PriceModel.PER_USER_MONTH:
        return _cents(unit * quantity * months)
    return _cents(unit * quantity * months / 12)  # the yearly models, pro rata by month


def vat_cents(net_cents: int, vat_rate_bp: int) -> int:
    """VAT of one line, rounded to the cent (half up), as on a Finnish invoice line."""
    return _cents(Decimal(net_cents) * vat_rate_bp / 10_000)


@dataclass
class LineFigures:
    line: RequestLine
    model: str
    unit_price_cents: int
    vat_rate_bp: int
    months: int
    net_cents: int
    vat_cents: int
    problem: str | None = None


@dataclass
class Totals:
    lines: list[LineFigures]
    net_cents: int = 0
    vat_by_rate: dict[int, int] = field(default_factory=dict)  # basis points -> cents
    problems: list[str] = field(default_factory=list)

    @property
    def vat_cents(self) -> int:
        return sum(self.vat_by_rate.values())

    @property
    def gross_cents(self) -> int:
        return self.net_cents + self.vat_cents

    @property
    def needs_tendering(self) -> bool:
        return self.net_cents >= THRESHOLD_CENTS


@dataclass(frozen=True)
class OfferedPlan:
    """A pricing plan as the catalogue publishes it (the published revision's copy, not the
    provider's working copy, which may hold edits still in review)."""

    service_id: int
    service_name: str
    provider_id: int
    id: int
    name: str
    model: str
    unit_price_cents: int
    vat_rate_bp: int
    min_quantity: int


def offered_plans(service_id: int, today: date | None = None) -> list[OfferedPlan]:
    """The plans of a service that is in the catalogue now (none if it is not)."""
    entry = db.session.scalar(
        sa.select(CatalogueEntry).where(
            CatalogueEntry.service_id == service_id, CatalogueEntry.organisation_id.in_(visible_providers(today))
        )
    )
    if entry is None:
        return []
    revision = db.session.scalar(
        sa.select(ServiceRevision).where(
            ServiceRevision.service_id == service_id, ServiceRevision.number == entry.revision_number
        )
    )
    if revision is None:
        return []
    return [
        OfferedPlan(
            service_id,
            entry.name,
            entry.organisation_id,
            int(p["id"]),
            p["name"],
            p["model"],
            int(p["unit_price_cents"]),
            int(p["vat_rate_bp"]),
            int(p.get("min_quantity") or 1),
        )
        for p in revision.snapshot.get("plans", [])
    ]


def offered_plan(service_id: int | None, plan_id: int | None) -> OfferedPlan | None:
    if service_id is None:
        return None
    return next((p for p in offered_plans(service_id) if p.id == plan_id), None)


def totals(request: ProcurementRequest) -> Totals:
    """The request's figures: published prices for a draft, the copied ones once sent."""
    figures: list[LineFigures] = []
    offered: dict[int, list[OfferedPlan]] = {}
    for line in request.lines:
        if request.is_draft:
            if line.service_id not in offered:
                offered[line.service_id] = offered_plans(line.service_id)
            plan = next((p for p in offered[line.service_id] if p.id == line.plan_id), None)
            problem = _line_problem(line, plan, bool(offered[line.service_id]))
            months = term_months(line.term_start, line.term_end)
            if plan is None:
                figures.append(LineFigures(line, "", 0, 0, months, 0, 0, problem))
                continue
            net = line_net_cents(plan.model, plan.unit_price_cents, line.quantity, months)
            figures.append(
                LineFigures(
                    line,
                    plan.model,
                    plan.unit_price_cents,
                    plan.vat_rate_bp,
                    months,
                    net,
                    vat_cents(net, plan.vat_rate_bp),
                    problem,
                )
            )
        else:
            figures.append(
                LineFigures(
                    line,
                    line.price_model,
                    line.unit_price_cents or 0,
                    line.vat_rate_bp or 0,
                    line.months or 0,
                    line.net_cents or 0,
                    line.vat_cents or 0,
                )
            )
    result = Totals(figures)
    for f in figures:
        result.net_cents += f.net_cents
        if f.vat_rate_bp or f.vat_cents:
            result.vat_by_rate[f.vat_rate_bp] = result.vat_by_rate.get(f.vat_rate_bp, 0) + f.vat_cents
        if f.problem:
            result.problems.append(f.problem)
    result.vat_by_rate = dict(sorted(result.vat_by_rate.items(), reverse=True))
    return result


def _line_problem(line: RequestLine, plan: OfferedPlan | None, in_catalogue: bool) -> str | None:
    """Why a draft line cannot be ordered as it stands, or None."""
    if not in_catalogue:
        return _("%(name)s is no longer in the catalogue. Remove the line.", name=line.service_name)
    if plan is None:
        return _(
            "The pricing plan chosen for %(name)s is no longer offered. Choose another plan.", name=line.service_name
        )
    if line.quantity < plan.min_quantity:
        return _(
            "The quantity of %(name)s is below the plan's minimum of %(min)d.",
            name=line.service_name,
            min=plan.min_quantity,
        )
    return None
