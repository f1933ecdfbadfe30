"""The dashboards' charts: each builder turns one set of figures into a Chart with a
title and a text alternative that says what the picture shows. The views render
them (templates/_charts.html) and serve each one's figures as CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.charts import Chart, Series
from app.models import Organisation
from governance import insights as governance
from governance.steering.forms import LEVEL_LABELS
from marketplace.catalogue.vocab import CATEGORIES, LEVELS
from marketplace.insights import services
from marketplace.procurement.labels import PAYMENT_STATUS_LABELS


@dataclass(frozen=True)
class Context:
    today: date
    organisation: Organisation | None = None  # the municipality or provider of the dashboard


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{int(month)}/{year}"


def quarter_label(key: str) -> str:
    year, quarter = key.split(" Q")
    return _("Q%(quarter)s/%(year)s", quarter=quarter, year=year)


def _euros(cents: int) -> float:
    return round(cents / 100, 2)


def _amount(euros: float) -> str:
    return format_decimal(round(euros), format="#,##0") + " €"


def _number(value: float, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern)


def _top(pairs: list[tuple[str, float]]) -> str:
    return pairs[0][0] if pairs else "–"


# --- the ecosystem ------------------------------------------------------------------------------------------


def providers_over_time(ctx: Context) -> Chart:
    f = services.providers_over_time(ctx.today)
    last = -1
    return Chart(
        key="providers-over-time",
        kind="line",
        title=_("Providers by status"),
        description=_(
            "At the end of %(month)s: %(active)s active providers, %(applying)s applying, "
            "%(suspended)s suspended or terminated and %(rejected)s rejected, month by month over two "
            "years.",
            month=month_label(f.months[last]),
            active=f.active[last],
            applying=f.applying[last],
            suspended=f.suspended[last],
            rejected=f.rejected[last],
        ),
        categories=[month_label(m) for m in f.months],
        category_label=_("Month"),
        series=[
            Series(_("Active"), f.active),
            Series(_("Applying"), f.applying),
            Series(_("Suspended or terminated"), f.suspended),
            Series(_("Rejected"), f.rejected),
        ],
    )


def lead_times(ctx: Context) -> Chart:
    f = services.application_lead_times(ctx.today)
    decided = sum(f.decided)
    latest = next(
        (
            (q, m, p)
            for q, m, p in zip(reversed(f.quarters), reversed(f.median), reversed(f.p90), strict=True)
            if m is not None
        ),
        None,
    )
    description = (
        _(
            "%(count)s applications decided in two years. In %(quarter)s the median time from submission "
            "to decision was %(median)s days and 90 %% were decided within %(p90)s days.",
            count=decided,
            quarter=quarter_label(latest[0]),
            median=_number(latest[1]),
            p90=_number(latest[2]),
        )
        if latest
        else _("No applications decided in two years.")
    )
    return Chart(
        key="application-lead-time",
        kind="bar",
        title=_("Application lead time"),
        unit="d",
        description=description,
        categories=[quarter_label(q) for q in f.quarters],
        category_label=_("Quarter of the decision"),
        series=[Series(_("Median"), f.median), Series(_("90th percentile"), f.p90)],
    )


def services_by_category(ctx: Context) -> Chart:
    counts = services.services_by_category()
    pairs = sorted(((str(CATEGORIES.get(k, k)), n) for k, n in counts.items()), key=lambda p: -p[1])
    return Chart(
        key="services-by-category",
        kind="hbar",
        title=_("Published services by category"),
        description=_(
            "%(count)s published services; the most are in %(category)s.",
            count=sum(counts.values()),
            category=_top(pairs),
        ),
        categories=[p[0] for p in pairs],
        category_label=_("Category"),
        series=[Series(_("Services"), [p[1] for p in pairs])],
    )


def services_by_level(ctx: Context) -> Chart:
    counts = services.services_by_level()
    keys = [k for k in LEVELS if k in counts] + sorted(k for k in counts if k not in LEVELS)
    return Chart(
        key="services-by-level",
        kind="bar",
        title=_("Published services by school level"),
        description=_(
            "A service for several levels counts for each. The most services are for %(level)s.",
            level=str(LEVELS.get(max(counts, key=counts.get), "")) if counts else "–",
        ),
        categories=[str(LEVELS.get(k, k)) for k in keys],
        category_label=_("School level"),
        series=[Series(_("Services"), [counts[k] for k in keys])],
    )


def rules_acceptance(ctx: Context) -> Chart:
    f = services.rules_acceptance(ctx.today)
    title = (
        _("Acceptance of rules version %(label)s", label=f.label) if f.label else _("Acceptance of the rules in force")
    )
    return Chart(
        key="rules-acceptance",
        kind="hbar",
        title=title,
        description=_(
            "Of %(providers)s active providers, %(accepted)s have accepted the version in force, "
            "%(grace)s stand on an earlier version within the re-acceptance period and "
            "%(missing)s have not accepted.",
            providers=f.providers,
            accepted=f.accepted,
            grace=f.in_grace,
            missing=f.not_accepted,
        ),
        categories=[_("Accepted"), _("Earlier version, within the period"), _("Not accepted")],
        category_label=_("Standing"),
        series=[Series(_("Providers"), [f.accepted, f.in_grace, f.not_accepted])],
    )


def orders_by_month(
    ctx: Context, municipality_id: int | None = None, provider_id: int | None = None, key: str = "orders-by-month"
) -> Chart:
    f = services.orders_by_month(ctx.today, municipality_id, provider_id)
    busiest = max(range(len(f.months)), key=lambda i: f.orders[i]) if any(f.orders) else None
    description = (
        _(
            "%(orders)s orders accepted in two years; the most, %(most)s, in %(month)s.",
            orders=sum(f.orders),
            most=f.orders[busiest],
            month=month_label(f.months[busiest]),
        )
        if busiest is not None
        else _("No orders accepted in two years.")
    )
    return Chart(
        key=key,
        kind="bar",
        title=_("Orders accepted per month"),
        description=description,
        categories=[month_label(m) for m in f.months],
        category_label=_("Month"),
        series=[Series(_("Orders"), f.orders)],
    )


def spend_by_month(
    ctx: Context, municipality_id: int | None = None, provider_id: int | None = None, key: str = "spend-by-month"
) -> Chart:
    f = services.orders_by_month(ctx.today, municipality_id, provider_id)
    total = _euros(sum(f.net_cents))
    return Chart(
        key=key,
        kind="bar",
        title=_("Spend per month, excl. VAT"),
        unit="€",
        description=_(
            "%(total)s excluding VAT in two years, by the month the order was accepted.", total=_amount(total)
        ),
        categories=[month_label(m) for m in f.months],
        category_label=_("Month"),
        series=[Series(_("Spend"), [_euros(c) for c in f.net_cents])],
    )


def spend_by_municipality(ctx: Context) -> Chart:
    pairs = [(name, _euros(cents)) for name, cents in services.spend_by_municipality(ctx.today)]
    return Chart(
        key="spend-by-municipality",
        kind="hbar",
        title=_("Spend per municipality, excl. VAT"),
        unit="€",
        description=_(
            "%(total)s in two years across %(count)s municipalities; the most by %(top)s.",
            total=_amount(sum(p[1] for p in pairs)),
            count=len(pairs),
            top=_top(pairs),
        ),
        categories=[p[0] for p in pairs],
        category_label=_("Municipality"),
        series=[Series(_("Spend"), [p[1] for p in pairs])],
    )


def spend_by_category(ctx: Context, municipality_id: int | None = None, key: str = "spend-by-category") -> Chart:
    amounts = services.spend_by_category(ctx.today, municipality_id)
    pairs = sorted(((str(CATEGORIES.get(k, k)), _euros(v)) for k, v in amounts.items()), key=lambda p: -p[1])
    return Chart(
        key=key,
        kind="hbar",
        title=_("Spend per category, excl. VAT"),
        unit="€",
        description=_(
            "%(total)s in two years; the most in %(top)s.", total=_amount(sum(p[1] for p in pairs)), top=_top(pairs)
        ),
        categories=[p[0] for p in pairs],
        category_label=_("Category"),
        series=[Series(_("Spend"), [p[1] for p in pairs])],
    )


def provider_shares(ctx: Context) -> Chart:
    shares = [(name or _("Other providers"), share) for name, share in services.provider_shares(ctx.today)]
    return Chart(
        key="provider-shares",
        kind="hbar",
        title=_("Providers' shares of spend"),
        unit="%",
        decimals=1,
        description=_(
            "The largest provider, %(top)s, has %(share)s %% of all spend in two years.",
            top=_top(shares),
            share=_number(shares[0][1], 1),
        )
        if shares
        else _("No spend in two years."),
        categories=[s[0] for s in shares],
        category_label=_("Provider"),
        series=[Series(_("Share of spend"), [s[1] for s in shares])],
    )


def concentration(ctx: Context) -> Chart:
    f = services.concentration_by_category(ctx.today)
    latest = {c: values[-1] for c, values in f.by_category.items() if values and values[-1] is not None}
    most = max(latest, key=latest.get) if latest else None
    description = (
        _(
            "The Herfindahl-Hirschman index (HHI) sums the squared market shares of the providers in a "
            "category: under 1 500 is unconcentrated, 1 500–2 500 moderately and over 2 500 highly "
            "concentrated (10 000 is a single provider). In the last six months the most concentrated "
            "category was %(category)s at %(value)s.",
            category=str(CATEGORIES.get(most, most)),
            value=_number(latest[most]),
        )
        if most
        else _("No spend to measure concentration yet.")
    )
    return Chart(
        key="market-concentration",
        kind="line",
        title=_("Market concentration (HHI) per category"),
        description=description,
        categories=[f"{month_label(a)}–{month_label(b)}" for a, b in f.periods],
        category_label=_("Period"),
        series=[Series(str(CATEGORIES.get(c, c)), values) for c, values in f.by_category.items()],
    )


# --- governance -------------------------------------------------------------------------------------------------


def decisions_by_level(ctx: Context) -> Chart:
    quarters, counts = governance.decisions_by_quarter_and_level(ctx.today)
    total = sum(sum(v) for v in counts.values())
    levels = [k for k in LEVEL_LABELS if k in counts]
    return Chart(
        key="decisions-by-level",
        kind="stacked",
        title=_("Decisions per quarter by level"),
        description=_("%(total)s decisions in two years, stacked by the level of the body.", total=total),
        categories=[quarter_label(q) for q in quarters],
        category_label=_("Quarter"),
        series=[Series(str(LEVEL_LABELS[k]), counts[k]) for k in levels],
    )


def decisions_by_body(ctx: Context) -> Chart:
    bodies = governance.decisions_by_body(ctx.today)
    return Chart(
        key="decisions-by-body",
        kind="hbar",
        title=_("Decisions per body"),
        description=_("Decisions in two years per body, and how many of them referred the item up."),
        categories=[f"{b.code} {b.name}" for b in bodies],
        category_label=_("Body"),
        series=[
            Series(_("Decisions"), [b.decisions for b in bodies]),
            Series(_("Referred up"), [b.referred_up for b in bodies]),
        ],
    )


def referral_share(ctx: Context) -> Chart:
    quarters, shares = governance.referral_share_by_quarter(ctx.today)
    known = [s for s in shares if s is not None]
    return Chart(
        key="referred-up",
        kind="line",
        title=_("Share of items referred up"),
        unit="%",
        decimals=1,
        description=_(
            "On average %(share)s %% of decisions per quarter referred the item to the level above.",
            share=_number(sum(known) / len(known), 1),
        )
        if known
        else _("No decisions in two years."),
        categories=[quarter_label(q) for q in quarters],
        category_label=_("Quarter"),
        series=[Series(_("Referred up"), shares)],
    )


def days_to_decision(ctx: Context) -> Chart:
    quarters, days = governance.days_to_decision_by_quarter(ctx.today)
    known = [d for d in days if d is not None]
    return Chart(
        key="days-to-decision",
        kind="bar",
        title=_("Time from a case opened to its decision"),
        unit="d",
        decimals=0,
        description=_(
            "On average %(days)s days per quarter from opening a case to its final decision.",
            days=_number(sum(known) / len(known)),
        )
        if known
        else _("No cases decided in two years."),
        categories=[quarter_label(q) for q in quarters],
        category_label=_("Quarter of the decision"),
        series=[Series(_("Average days"), days)],
    )


def tasks_by_body(ctx: Context) -> Chart:
    tasks = governance.tasks_by_body(ctx.today)
    return Chart(
        key="follow-up-tasks",
        kind="hbar",
        title=_("Open and overdue follow-up tasks"),
        description=_(
            "%(open)s follow-up tasks open, %(overdue)s of them past their due date.",
            open=sum(t.open for t in tasks),
            overdue=sum(t.overdue for t in tasks),
        ),
        categories=[t.code for t in tasks],
        category_label=_("Owner body"),
        series=[Series(_("Open"), [t.open for t in tasks]), Series(_("Overdue"), [t.overdue for t in tasks])],
    )


def attendance(ctx: Context) -> Chart:
    rows = governance.attendance_by_organisation(ctx.today)
    lowest = min(rows, key=lambda r: r.rate) if rows else None
    return Chart(
        key="attendance",
        kind="hbar",
        title=_("Attendance per member organisation"),
        unit="%",
        decimals=1,
        description=_(
            "Seats filled at held meetings, by the member or their deputy. Lowest: %(org)s, %(rate)s %%.",
            org=lowest.organisation,
            rate=_number(lowest.rate, 1),
        )
        if lowest
        else _("No meetings held in two years."),
        categories=[r.organisation for r in rows],
        category_label=_("Organisation"),
        series=[Series(_("Attendance"), [r.rate for r in rows])],
    )


# --- a municipality ---------------------------------------------------------------------------------------------


def _org_id(ctx: Context) -> int:
    if ctx.organisation is None:  # the views always give one
        raise ValueError("this chart needs an organisation")
    return ctx.organisation.id


def own_spend_by_service(ctx: Context) -> Chart:
    pairs = [(name, _euros(c)) for name, c in services.spend_by_service(ctx.today, _org_id(ctx))]
    return Chart(
        key="spend-by-service",
        kind="hbar",
        title=_("Spend per service, excl. VAT"),
        unit="€",
        description=_("The 15 services with the most spend in two years; the most on %(top)s.", top=_top(pairs)),
        categories=[p[0] for p in pairs],
        category_label=_("Service"),
        series=[Series(_("Spend"), [p[1] for p in pairs])],
    )


def own_spend_by_category(ctx: Context) -> Chart:
    return spend_by_category(ctx, _org_id(ctx))


def own_spend_by_level(ctx: Context) -> Chart:
    amounts = services.spend_by_level(ctx.today, _org_id(ctx))
    keys = [k for k in LEVELS if k in amounts] + sorted(k for k in amounts if k not in LEVELS)
    return Chart(
        key="spend-by-level",
        kind="bar",
        title=_("Spend per school level, excl. VAT"),
        unit="€",
        description=_(
            "A service for several levels counts for each. The most for %(level)s.",
            level=str(LEVELS.get(max(amounts, key=amounts.get), "")) if amounts else "–",
        ),
        categories=[str(LEVELS.get(k, k)) for k in keys],
        category_label=_("School level"),
        series=[Series(_("Spend"), [_euros(amounts[k]) for k in keys])],
    )


def own_spend_by_month(ctx: Context) -> Chart:
    return spend_by_month(ctx, municipality_id=_org_id(ctx))


def orders_ending(ctx: Context) -> Chart:
    keys, counts = services.orders_ending_by_month(ctx.today, _org_id(ctx))
    return Chart(
        key="orders-ending",
        kind="bar",
        title=_("Active orders by the month their term ends"),
        description=_("%(count)s active orders end in the next 12 months.", count=sum(counts)),
        categories=[month_label(k) for k in keys],
        category_label=_("Month"),
        series=[Series(_("Orders"), counts)],
    )


def licences_per_pupil(ctx: Context) -> Chart:
    pupils, rows = services.licences_per_pupil(ctx.today, _org_id(ctx))
    if not pupils:
        return Chart(
            key="licences-per-pupil",
            kind="hbar",
            title=_("Licences per pupil"),
            unit="",
            decimals=2,
            description=_(
                "The number of pupils has not been recorded, so licences per pupil cannot be "
                "shown. The coordinator records it."
            ),
            categories=[],
            series=[],
        )
    return Chart(
        key="licences-per-pupil",
        kind="hbar",
        title=_("Licences per pupil"),
        decimals=2,
        description=_("Per-pupil licences in force today divided by the %(pupils)s pupils.", pupils=_number(pupils)),
        categories=[name for name, _n in rows],
        category_label=_("Service"),
        series=[Series(_("Licences per pupil"), [n / pupils for _name, n in rows])],
    )


# --- a provider ---------------------------------------------------------------------------------------------------


def views_by_listing(ctx: Context) -> Chart:
    pairs = services.views_by_listing(ctx.today, _org_id(ctx))
    return Chart(
        key="views-by-listing",
        kind="hbar",
        title=_("Catalogue page views in the last 90 days"),
        description=_(
            "Views of each listing's page in the catalogue, counted without personal data: %(total)s in all.",
            total=_number(sum(p[1] for p in pairs)),
        ),
        categories=[p[0] for p in pairs],
        category_label=_("Listing"),
        series=[Series(_("Views"), [p[1] for p in pairs])],
    )


def views_by_month(ctx: Context) -> Chart:
    keys, counts = services.views_by_month(ctx.today, _org_id(ctx))
    return Chart(
        key="views-by-month",
        kind="line",
        title=_("Catalogue page views per month"),
        description=_(
            "All of your listings' page views per month over a year: %(total)s in all.", total=_number(sum(counts))
        ),
        categories=[month_label(k) for k in keys],
        category_label=_("Month"),
        series=[Series(_("Views"), counts)],
    )


def provider_orders(ctx: Context) -> Chart:
    return orders_by_month(ctx, provider_id=_org_id(ctx))


def receivables(ctx: Context) -> Chart:
    amounts = services.receivables_by_payment_status(_org_id(ctx))
    keys = [k for k in PAYMENT_STATUS_LABELS if k in amounts]
    unpaid = sum(v for k, v in amounts.items() if k not in ("paid", "void", "refunded"))
    return Chart(
        key="receivables",
        kind="hbar",
        title=_("Accepted orders by payment status, incl. VAT"),
        unit="€",
        description=_("%(unpaid)s not yet paid.", unpaid=_amount(_euros(unpaid))),
        categories=[str(PAYMENT_STATUS_LABELS[k]) for k in keys],
        category_label=_("Payment status"),
        series=[Series(_("Amount"), [_euros(amounts[k]) for k in keys])],
    )


Builder = Callable[[Context], Chart]

DASHBOARDS: dict[str, list[tuple[str, Builder]]] = {
    "ecosystem": [
        ("providers-over-time", providers_over_time),
        ("application-lead-time", lead_times),
        ("services-by-category", services_by_category),
        ("services-by-level", services_by_level),
        ("rules-acceptance", rules_acceptance),
        ("orders-by-month", orders_by_month),
        ("spend-by-month", spend_by_month),
        ("spend-by-municipality", spend_by_municipality),
        ("spend-by-category", spend_by_category),
        ("provider-shares", provider_shares),
        ("market-concentration", concentration),
    ],
    "governance": [
        ("decisions-by-level", decisions_by_level),
        ("decisions-by-body", decisions_by_body),
        ("referred-up", referral_share),
        ("days-to-decision", days_to_decision),
        ("follow-up-tasks", tasks_by_body),
        ("attendance", attendance),
    ],
    "municipality": [
        ("spend-by-service", own_spend_by_service),
        ("spend-by-category", own_spend_by_category),
        ("spend-by-level", own_spend_by_level),
        ("spend-by-month", own_spend_by_month),
        ("orders-ending", orders_ending),
        ("licences-per-pupil", licences_per_pupil),
    ],
    "provider": [
        ("views-by-listing", views_by_listing),
        ("views-by-month", views_by_month),
        ("orders-by-month", provider_orders),
        ("receivables", receivables),
    ],
}
