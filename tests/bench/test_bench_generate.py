"""The benchmark data generator makes data the catalogue and the register serve correctly."""

import sqlalchemy as sa

from app.extensions import db
from bench.cli import bench_cli
from governance.steering.models import Decision
from marketplace.catalogue import search
from marketplace.catalogue.models import CatalogueEntry, CatalogueTag, Service


def test_generated_listings_are_searchable_and_counted_exactly(app, runner, client):
    result = runner.invoke(
        bench_cli,
        args=[
            "generate",
            "--listings",
            "120",
            "--providers",
            "15",
            "--municipalities",
            "5",
            "--decisions",
            "45",
        ],
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(Service.id))) == 120
    assert db.session.scalar(sa.select(sa.func.count(CatalogueEntry.service_id))) == 120
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 45
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueTag)) > 120 * 8
    for query in (
        search.CatalogueQuery(),
        search.CatalogueQuery(q="matematiikka"),
        search.CatalogueQuery(selected={"level": ["grades_7_9"], "standard": ["mpassid"]}),
    ):
        fast, reference = search.search(query), search.search_sql(query)
        assert fast.total == reference.total
        assert [[v.count for v in f.values] for f in fast.facets] == [
            [v.count for v in f.values] for f in reference.facets
        ]
    assert client.get("/catalogue").status_code == 200
    assert client.get("/register?q=matematiikka").status_code == 200
    # Never on a database that has data.
    again = runner.invoke(bench_cli, args=["generate", "--listings", "10"])
    assert again.exit_code != 0 and "not empty" in again.output
