"""A municipality's and a provider's own dashboards: their spend, orders, views and receivables."""

from __future__ import annotations

from flask_babel import gettext as _

from app.charts import Chart, Series
from marketplace.catalogue.vocab import LEVELS
from marketplace.insights import services
from marketplace.insights.charts.common import Context, _amount, _euros, _number, _org_id, _top, month_label
from marketplace.insights.charts.ecosystem import orders_by_month, spend_by_category, spend_by_month
from marketplace.procurement.labels import PAYMENT_STATUS_LABELS

# --- a municipality ---------------------------------------------------------------------------------------------


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
