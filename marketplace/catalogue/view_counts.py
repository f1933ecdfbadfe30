"""Page views of the public service pages, counted per service and day without personal data.

Only a counter per (service, Helsinki calendar day) is kept: no IP address, user, cookie,
referrer or time of day. Counting is a statistic, not a change of record, so it is not
audited. Like the services, `count_view` never commits: the view commits it."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.clock import helsinki_today
from app.extensions import db
from marketplace.catalogue.models import ServiceViewCount

#: User agents that say they are robots (search engines, crawlers, link checkers).
BOT_PATTERN = re.compile(r"bot|spider|crawl", re.IGNORECASE)


def is_countable(method: str, user_agent: str | None) -> bool:
    """A page view by a person: a GET (not HEAD) from a user agent that is not an obvious robot."""
    return method == "GET" and not BOT_PATTERN.search(user_agent or "")


def count_view(service_id: int, day: date | None = None) -> None:
    """Add one view of the service on the day, in one statement (an UPSERT, which both SQLite
    ≥ 3.24 and PostgreSQL run atomically: concurrent views never lose a count)."""
    day = day or helsinki_today()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ServiceViewCount.__table__
    stmt = insert(table).values(service_id=service_id, day=day, views=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.service_id, table.c.day], set_={"views": table.c.views + 1}
    )
    db.session.execute(stmt)


def views_by_day(service_id: int) -> dict[date, int]:
    """The service's counted views by day (for tests and small reports)."""
    stmt = sa.select(ServiceViewCount.day, ServiceViewCount.views).where(ServiceViewCount.service_id == service_id)
    return {day: views for day, views in db.session.execute(stmt)}
