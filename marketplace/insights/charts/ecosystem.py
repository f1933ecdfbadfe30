"""The ecosystem dashboard's charts: providers, applications, services, orders and spend."""

from __future__ import annotations

from flask_babel import gettext as _

from app.charts import Chart, Series
from marketplace.catalogue.vocab import CATEGORIES, LEVELS
from marketplace.insights import services
from marketplace.insights.charts.common import Context, _amount, _euros, _number, _top, month_label, quarter_label


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
