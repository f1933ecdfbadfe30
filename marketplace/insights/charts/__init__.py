"""The dashboards' charts: each builder turns one set of figures into a Chart with a
title and a text alternative that says what the picture shows. The views render
them (templates/_charts.html) and serve each one's figures as CSV.

The package: `common` (Context, labels, amounts), `ecosystem`, `steering` (the
governance dashboard) and `organisation` (a municipality's and a provider's
own). Every builder, and DASHBOARDS, is importable from
`marketplace.insights.charts`.
"""

from __future__ import annotations

from collections.abc import Callable

from app.charts import Chart
from marketplace.insights.charts import common
from marketplace.insights.charts.common import Context, month_label, quarter_label
from marketplace.insights.charts.ecosystem import (
    concentration,
    lead_times,
    orders_by_month,
    provider_shares,
    providers_over_time,
    rules_acceptance,
    services_by_category,
    services_by_level,
    spend_by_category,
    spend_by_month,
    spend_by_municipality,
)
from marketplace.insights.charts.organisation import (
    licences_per_pupil,
    orders_ending,
    own_spend_by_category,
    own_spend_by_level,
    own_spend_by_month,
    own_spend_by_service,
    provider_orders,
    receivables,
    views_by_listing,
    views_by_month,
)
from marketplace.insights.charts.steering import (
    attendance,
    days_to_decision,
    decisions_by_body,
    decisions_by_level,
    referral_share,
    tasks_by_body,
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

# The private helpers as well, reachable from the package as they were from the single module.
_euros = common._euros
_amount = common._amount
_number = common._number
_top = common._top
_org_id = common._org_id

__all__ = [
    "DASHBOARDS",
    "Builder",
    "Context",
    "attendance",
    "concentration",
    "days_to_decision",
    "decisions_by_body",
    "decisions_by_level",
    "lead_times",
    "licences_per_pupil",
    "month_label",
    "orders_by_month",
    "orders_ending",
    "own_spend_by_category",
    "own_spend_by_level",
    "own_spend_by_month",
    "own_spend_by_service",
    "provider_orders",
    "provider_shares",
    "providers_over_time",
    "quarter_label",
    "receivables",
    "referral_share",
    "rules_acceptance",
    "services_by_category",
    "services_by_level",
    "spend_by_category",
    "spend_by_month",
    "spend_by_municipality",
    "tasks_by_body",
    "views_by_listing",
    "views_by_month",
]
