"""The governance dashboard's charts: the steering bodies' decisions, tasks and attendance."""

from __future__ import annotations

from flask_babel import gettext as _

from app.charts import Chart, Series
from governance.steering import insights as governance
from governance.steering.forms import LEVEL_LABELS
from marketplace.insights.charts.common import Context, _number, quarter_label


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
