"""Database faults: the PostgreSQL-only mark, the 503 page's Finnish texts, a published listing and
the figures of SQLite's faults."""

from __future__ import annotations

import pytest
from flask import current_app

from app.extensions import db
from config import TestConfig
from marketplace.catalogue import services as catalogue
from tests import factories, figures


def postgres_only(test):
    """PostgreSQL faults: skipped on SQLite runs (no server to lose)."""
    test = pytest.mark.postgres_only(test)
    return pytest.mark.skipif(
        not (TestConfig.TEST_DATABASE_URL or "").startswith("postgresql"),
        reason="database faults need a PostgreSQL server (TEST_DATABASE_URL)",
    )(test)


TITLE_FI = "Palvelu ei ole tilapäisesti käytettävissä"  # errors.TITLES[503] in Finnish
RETRY_FI = "Yritä hetken kuluttua uudelleen."  # errors.MESSAGES[503] in Finnish


def published_service(people: dict):
    """A listing in the catalogue with one plan, published as the review does it."""
    author = people["provider_admin"]
    service = factories.ServiceFactory(
        organisation=people["provider"], created_by=author, name="Matematiikan polku", slug="matematiikan-polku"
    )
    factories.PricingPlanFactory(service=service)
    with current_app.test_request_context():
        catalogue.submit(author, service)
        catalogue.publish(people["coordinator"], service)
    db.session.commit()
    return service


def note_on_sqlite(key: str, value: str) -> None:
    """SQLite's faults belong to the SQLite run's figures only."""
    if figures.database_name() == "sqlite":
        figures.note("faults", key, value)
