"""What the dashboards' charts share: the context, month and quarter labels, and amounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.models import Organisation


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


def _org_id(ctx: Context) -> int:
    if ctx.organisation is None:  # the views always give one
        raise ValueError("this chart needs an organisation")
    return ctx.organisation.id
