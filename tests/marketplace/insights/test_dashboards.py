"""Dashboards: figures from aggregate queries, the HHI against a hand calculation,
who sees which dashboard, a municipality's own figures only, and CSV per chart."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.clock import helsinki_today
from app.extensions import db
from app.models import Organisation
from marketplace.insights import charts, services
from tests import factories

TODAY = helsinki_today()
NOW = datetime.now(UTC)


def accepted_order(
    municipality,
    provider,
    service,
    net_cents: int,
    quantity: int = 100,
    created_at: datetime | None = None,
    term_end: date | None = None,
):
    """An accepted (active) order with one line on `service`."""
    order = factories.OrderFactory(
        request__organisation=municipality,
        request__requester=factories.UserFactory(organisation=municipality, org_role="buyer"),
        provider_id=provider.id,
        status="active",
        net_cents=net_cents,
        vat_cents=net_cents * 255 // 1000,
        created_at=created_at or NOW,
        term_start=date(TODAY.year - 1, 8, 1),
        term_end=term_end or date(TODAY.year + 1, 7, 31),
    )
    factories.RequestLineFactory(
        request=order.request,
        order=order,
        service_id=service.id,
        provider_id=provider.id,
        plan_id=None,
        net_cents=net_cents,
        quantity=quantity,
        term_start=order.term_start,
        term_end=order.term_end,
    )
    return order


@pytest.fixture()
def market(people):
    """Vantaa and Espoo buy; three providers sell learning materials (600, 300 and 100 €), one assessment."""
    vantaa, espoo = people["municipality"], people["other_municipality"]
    vantaa.pupil_count, espoo.pupil_count = 1000, 2000
    a, b = people["provider"], people["other_provider"]
    c = factories.ProviderFactory(name="Kolmas Oy")
    materials = {
        p.id: factories.ServiceFactory(organisation=p, name=f"Materiaali {p.name}", category="learning_materials")
        for p in (a, b, c)
    }
    exam = factories.ServiceFactory(organisation=a, name="Koepalvelu Vantaalle", category="assessment")
    espoo_only = factories.ServiceFactory(organisation=b, name="Espoon oma palvelu", category="wellbeing")
    accepted_order(vantaa, a, materials[a.id], 40_000)
    accepted_order(espoo, a, materials[a.id], 20_000)
    accepted_order(vantaa, b, materials[b.id], 30_000)
    accepted_order(vantaa, c, materials[c.id], 10_000, quantity=250)
    accepted_order(vantaa, a, exam, 5_000, term_end=TODAY - timedelta(days=1))
    accepted_order(espoo, b, espoo_only, 77_700)
    declined = accepted_order(vantaa, c, materials[c.id], 999_900)
    declined.status = "declined"
    db.session.commit()
    return {"vantaa": vantaa, "espoo": espoo, "a": a, "b": b, "c": c, "materials": materials}


def test_hhi_is_the_sum_of_squared_shares():
    assert services.hhi([600, 300, 100]) == pytest.approx(60**2 + 30**2 + 10**2)  # 4 600
    assert services.hhi([500]) == pytest.approx(10_000)
    assert services.hhi([1, 1, 1, 1]) == pytest.approx(4 * 25**2)
    assert services.hhi([]) is None and services.hhi([0, 0]) is None


def test_hhi_per_category_matches_a_hand_calculation(app, market):
    # Learning materials this year: provider A 40 000 + 20 000, B 30 000, C 10 000 (cents); the declined order
    # does not count. Shares 60 %, 30 %, 10 %: HHI = 3 600 + 900 + 100 = 4 600.
    figures = services.concentration_by_category(TODAY)
    assert len(figures.periods) == 4  # four six-month periods, the last ending this month
    assert figures.by_category["learning_materials"] == [None, None, None, pytest.approx(4600)]
    assert figures.providers["learning_materials"][-1] == 3
    assert figures.by_category["assessment"][-1] == pytest.approx(10_000)  # one provider
    # A year earlier only provider B sold learning materials: that period's HHI is 10 000, a trend down to 4 600.
    year_ago = NOW - timedelta(days=365)
    accepted_order(market["espoo"], market["b"], market["materials"][market["b"].id], 12_345, created_at=year_ago)
    db.session.commit()
    trend = services.concentration_by_category(TODAY)
    period = services.months(TODAY).index(year_ago.strftime("%Y-%m")) // services.PERIOD_MONTHS
    assert trend.by_category["learning_materials"][period] == pytest.approx(10_000)
    assert trend.by_category["learning_materials"][-1] == pytest.approx(4600)
    shares = dict(services.provider_shares(TODAY))
    total = 40_000 + 20_000 + 30_000 + 10_000 + 5_000 + 77_700 + 12_345
    assert shares["Oppimisen Polku Oy"] == pytest.approx(100 * 65_000 / total)


def test_the_coordinator_sees_every_chart_of_the_ecosystem_with_its_csv(app, market, login_as):
    coordinator = login_as("coordinator")
    page = coordinator.get("/dashboards/ecosystem")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('<figure class="chart') == len(charts.DASHBOARDS["ecosystem"])
    # The market's charts are drawn (the catalogue and applications are empty here: those say so).
    for key in (
        "orders-by-month",
        "spend-by-month",
        "spend-by-municipality",
        "spend-by-category",
        "provider-shares",
        "market-concentration",
    ):
        assert f'id="{key}-title"' in html or f'id="{key}' in html, key
    assert "4&#160;600" in html or "4 600" in html or "4\u00a0600" in html  # the HHI in the table
    response = coordinator.get("/dashboards/ecosystem/spend-by-municipality.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    body = {row[0]: row[1] for row in rows[1:]}
    assert body == {"Vantaa": "850.00", "Espoo": "977.00"} or body == {"Vantaa": "850", "Espoo": "977"}
    assert coordinator.get("/dashboards/ecosystem/no-such-chart.csv").status_code == 404


def test_a_vantaa_buyer_sees_only_vantaas_figures(app, market, login_as, people):
    buyer = login_as("buyer")
    html = buyer.get(f"/dashboards/municipality?organisation={market['espoo'].id}").get_data(as_text=True)
    assert "Vantaa" in html
    assert "Espoon oma palvelu" not in html and "Espoo" not in html.split("<main", 1)[1]
    assert "Materiaali Kolmas Oy" in html
    csv_text = buyer.get(f"/dashboards/municipality/spend-by-service.csv?organisation={market['espoo'].id}").get_data(
        as_text=True
    )
    assert "Espoon oma palvelu" not in csv_text and "Materiaali Oppimisen Polku Oy" in csv_text
    assert "400" in csv_text  # Vantaa's 40 000 cents on provider A's material, not Espoo's 20 000 added
    # The ecosystem and another municipality's views are closed to a buyer.
    assert buyer.get("/dashboards/ecosystem").status_code == 403
    assert buyer.get("/dashboards/ecosystem/spend-by-municipality.csv").status_code == 403
    assert buyer.get("/dashboards/provider").status_code == 403


def test_licences_per_pupil_and_orders_ending(app, market, login_as):
    pupils, rows = services.licences_per_pupil(TODAY, market["vantaa"].id)
    assert pupils == 1000
    assert dict(rows)["Materiaali Kolmas Oy"] == 250
    ending = services.orders_ending(TODAY, market["vantaa"].id, days=800)
    assert all(o.term_end >= TODAY for o in ending) and len(ending) == 3  # not the declined one, nor one ended
    assert [o.term_end for o in ending] == sorted(o.term_end for o in ending)  # soonest first
    assert len(services.orders_ending(TODAY, market["vantaa"].id, days=800, limit=2)) == 2
    assert services.orders_ending_count(TODAY, market["vantaa"].id, days=800) == 3


def test_provider_dashboard_counts_views_without_personal_data(app, market, login_as):
    listing = market["materials"][market["a"].id]
    factories.ServiceViewCountFactory(service_id=listing.id, day=TODAY, views=7)
    factories.ServiceViewCountFactory(service_id=market["materials"][market["b"].id].id, day=TODAY, views=99)
    db.session.commit()
    assert services.views_by_listing(TODAY, market["a"].id) == [(listing.name, 7)]
    html = login_as("provider_user").get("/dashboards/provider").get_data(as_text=True)
    assert listing.name in html and "Materiaali Kielisilta Oy" not in html


def test_who_sees_which_dashboard(app, market, people, login_as):
    strategic = factories.BodyFactory(code="OR", level="strategic")
    team = factories.BodyFactory(code="T-01", level="operational")
    factories.MembershipFactory(body=strategic, user=people["body_member"])
    factories.MembershipFactory(body=team, user=people["secretary"], role="secretary", voting=False)
    db.session.commit()
    expect = {
        "coordinator": {"ecosystem": 200, "governance": 200, "municipality": 200, "provider": 200},
        "body_member": {"ecosystem": 200, "governance": 200, "municipality": 200, "provider": 403},
        "secretary": {"ecosystem": 403, "governance": 200, "municipality": 200, "provider": 403},
        "provider_admin": {"ecosystem": 403, "governance": 403, "municipality": 403, "provider": 200},
        "no_org": {"ecosystem": 403, "governance": 403, "municipality": 403, "provider": 403},
    }
    for role, dashboards in expect.items():
        client = login_as(role)
        for name, status in dashboards.items():
            assert client.get(f"/dashboards/{name}").status_code == status, (role, name)
    assert login_as(None).get("/dashboards/ecosystem").status_code == 302


def test_the_coordinator_picks_a_municipality(app, market, login_as):
    html = (
        login_as("coordinator")
        .get(f"/dashboards/municipality?organisation={market['espoo'].id}")
        .get_data(as_text=True)
    )
    assert "Espoon oma palvelu" in html
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "Espoo" in heading


def test_dashboard_queries_do_not_grow_with_orders(app, market, login_as, count_queries, people):
    login = login_as("coordinator")
    counts = []
    for _round in range(2):
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany, statements=statements):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert login.get("/dashboards/ecosystem").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
        for _ in range(5):  # more orders, municipalities and providers for the second look
            accepted_order(
                factories.MunicipalityFactory(), factories.ProviderFactory(), market["materials"][market["a"].id], 1_000
            )
        db.session.commit()
    assert counts[0] == counts[1], counts


def test_empty_dashboards_say_so_instead_of_failing(app, people, login_as):
    coordinator = login_as("coordinator")
    for name in charts.DASHBOARDS:
        response = coordinator.get(f"/dashboards/{name}")
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert html.count('class="chart-empty"') >= 1, name
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) >= 1
