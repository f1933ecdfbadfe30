"""Data the dashboards need: municipalities' pupil counts, page views of the public service
pages counted without personal data, and the demo's two years of history."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent
from app.clock import helsinki_today
from app.extensions import db
from app.models import Organisation, User
from app.validators import is_valid_payment_reference
from governance.steering.models import Decision, Task
from marketplace.catalogue import view_counts
from marketplace.catalogue.models import CatalogueEntry, ServiceViewCount
from marketplace.onboarding.models import ProviderApplication
from marketplace.procurement.models import Order, ProcurementRequest, RequestLine
from marketplace.procurement.services import THRESHOLD_CENTS, current_draft, vat_cents
from tests import factories
from tests.support.catalogue import listing, published


def views(service_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ServiceViewCount.views), 0)).where(
            ServiceViewCount.service_id == service_id
        )
    )


# --- page views ---------------------------------------------------------------------------------------------


def test_each_view_of_a_published_service_page_counts_once(app, people, client):
    service = published(app, people, name="Laskettava", slug="laskettava")
    assert client.get("/catalogue/laskettava").status_code == 200
    assert views(service.id) == 1
    assert client.get("/catalogue/laskettava").status_code == 200
    assert views(service.id) == 2
    row = db.session.scalar(sa.select(ServiceViewCount))
    assert (row.service_id, row.day, row.views) == (service.id, helsinki_today(), 2)


@pytest.mark.parametrize(
    "agent",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Baiduspider",
        "Mozilla/5.0 (compatible; SomeCrawler/1.0)",
        "facebookexternalhit BOT",
    ],
)
def test_robots_are_not_counted(app, people, client, agent):
    service = published(app, people, name="Robottien ohi", slug="robottien-ohi")
    assert client.get("/catalogue/robottien-ohi", headers={"User-Agent": agent}).status_code == 200
    assert views(service.id) == 0


def test_head_requests_drafts_and_unknown_pages_are_not_counted(app, people, client):
    service = published(app, people, name="Vain katsotut", slug="vain-katsotut")
    assert client.head("/catalogue/vain-katsotut").status_code == 200
    draft = listing(people, name="Luonnos", slug="luonnos")
    assert client.get("/catalogue/luonnos").status_code == 404
    assert client.get("/catalogue/ei-ole").status_code == 404
    assert views(service.id) == views(draft.id) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceViewCount)) == 0


def test_counting_keeps_no_personal_data_and_is_not_audited(app, people, login_as):
    service = published(app, people, name="Yksityinen", slug="yksityinen")
    client = login_as("buyer")
    audited = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))  # after the login's own event
    client.get("/catalogue/yksityinen", headers={"User-Agent": "Mozilla/5.0", "X-Forwarded-For": "192.0.2.7"})
    assert set(ServiceViewCount.__table__.columns.keys()) == {"service_id", "day", "views"}
    row = db.session.execute(sa.select(ServiceViewCount.__table__)).one()
    assert tuple(row) == (service.id, helsinki_today(), 1)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == audited
    assert not client.get_cookie("views")


def test_a_failure_to_count_never_breaks_the_page(app, people, client, monkeypatch, caplog):
    service = published(app, people, name="Kestävä", slug="kestava")

    def broken(service_id, day=None):
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(view_counts, "count_view", broken)
    with caplog.at_level(logging.WARNING):
        response = client.get("/catalogue/kestava")
    assert response.status_code == 200 and "Kestävä" in response.get_data(as_text=True)
    assert "Could not count a view" in caplog.text
    assert views(service.id) == 0


def test_the_counter_adds_to_the_days_row_in_one_statement(app):
    row = factories.ServiceViewCountFactory(views=41)
    service_id, day = row.service_id, row.day
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        view_counts.count_view(service_id, day)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    db.session.commit()
    assert len(statements) == 1 and "ON CONFLICT" in statements[0].upper()
    assert views(service_id) == 42
    view_counts.count_view(service_id, day - timedelta(days=1))
    db.session.commit()
    assert view_counts.views_by_day(service_id) == {day: 42, day - timedelta(days=1): 1}


# --- pupil counts ----------------------------------------------------------------------------------------------


def test_the_coordinator_sets_a_municipalitys_pupils_and_it_is_audited(app, people, login_as):
    client = login_as("coordinator")
    city = people["municipality"]
    page = client.get(f"/admin/organisations/{city.id}").get_data(as_text=True)
    assert 'name="pupil_count"' in page
    response = client.post_form(f"/admin/organisations/{city.id}/pupils", {"pupil_count": "32 000"})
    assert response.status_code == 302
    db.session.refresh(city)
    assert city.pupil_count == 32_000
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organisation.pupil_count_changed"))
    assert event.data == {"old": None, "new": 32_000}
    assert client.post_form(f"/admin/organisations/{city.id}/pupils", {"pupil_count": ""}).status_code == 302
    db.session.refresh(city)
    assert city.pupil_count is None


@pytest.mark.parametrize("value", ["-1", "2000001", "abc", "1,5", "١٢", "--5", "9" * 40])
def test_pupil_counts_are_validated(app, people, login_as, value):
    client = login_as("coordinator")
    city = people["municipality"]
    response = client.post_form(f"/admin/organisations/{city.id}/pupils", {"pupil_count": value})
    assert response.status_code == 400
    text = response.get_data(as_text=True)  # in the coordinator's Finnish
    assert "Oppilasmäärän on oltava 0–2 000 000." in text or "Anna oppilasmäärä kokonaislukuna" in text
    db.session.refresh(city)
    assert city.pupil_count is None
    assert not db.session.scalar(
        sa.select(AuditEvent.id).where(AuditEvent.action == "organisation.pupil_count_changed")
    )


def test_pupils_only_for_municipalities_and_only_by_the_coordinator(app, people, login_as):
    provider = people["provider"]
    assert (
        login_as("coordinator")
        .post_form(f"/admin/organisations/{provider.id}/pupils", {"pupil_count": "10"})
        .status_code
        == 404
    )
    city = people["municipality"]
    assert (
        login_as("municipality_admin")
        .post_form(f"/admin/organisations/{city.id}/pupils", {"pupil_count": "10"})
        .status_code
        == 403
    )
    db.session.refresh(city)
    assert city.pupil_count is None


def test_a_new_municipality_can_have_its_pupils(app, people, login_as):
    client = login_as("coordinator")
    response = client.post_form(
        "/admin/organisations/new", {"name": "Lahti", "municipality_code": "398", "pupil_count": "12500"}
    )
    assert response.status_code == 302
    city = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Lahti"))
    assert city.pupil_count == 12_500
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "organisation.created", AuditEvent.object_id == str(city.id))
    )
    assert event.data["pupil_count"] == 12_500


# --- the demo ---------------------------------------------------------------------------------------------------


def demo_counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (
            ProcurementRequest,
            Order,
            RequestLine,
            ServiceViewCount,
            ProviderApplication,
            Decision,
            Task,
            User,
        )
    )


def test_the_demo_history_is_idempotent_and_spread_over_seven_cities_and_two_years(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    first = demo_counts()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert demo_counts() == first

    cities = db.session.scalars(sa.select(Organisation).where(Organisation.kind == "municipality")).all()
    assert len(cities) == 7 and all(c.pupil_count and c.pupil_count > 10_000 for c in cities)
    municipalities = db.session.scalar(sa.select(sa.func.count(sa.distinct(Order.organisation_id))))
    assert municipalities >= 7
    months = {(o.created_at.year, o.created_at.month) for o in db.session.scalars(sa.select(Order))}
    assert len(months) >= 20
    oldest = min(o.created_at for o in db.session.scalars(sa.select(Order)))
    assert oldest.date() < helsinki_today() - timedelta(days=600)

    for order in db.session.scalars(sa.select(Order)):
        assert order.reference == f"PO-{order.created_at.astimezone().year}-{order.id:06d}" or order.reference.endswith(
            f"-{order.id:06d}"
        )
        assert is_valid_payment_reference(order.payment_reference)
        assert order.net_cents == sum(line.net_cents for line in order.lines)
        assert order.vat_cents == sum(line.vat_cents for line in order.lines)
        for line in order.lines:
            assert line.vat_cents == vat_cents(line.net_cents, line.vat_rate_bp)
            assert line.provider_id == order.provider_id
    for request in db.session.scalars(sa.select(ProcurementRequest).where(ProcurementRequest.status != "draft")):
        assert request.net_cents < THRESHOLD_CENTS
        assert request.decided_by_id is None or request.decided_by_id != request.requester_id
    statuses = set(db.session.scalars(sa.select(Order.payment_status)))
    assert {"paid", "invoiced"} <= statuses
    assert set(db.session.scalars(sa.select(Order.status))) >= {"active", "declined"}

    # Vantaa has history, but its buyer has no draft: the procurement flow is free to try.
    vantaa_buyer = db.session.scalar(sa.select(User).where(User.email == "buyer.vantaa@example.com"))
    assert current_draft(vantaa_buyer) is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Order.id)).where(Order.organisation_id == vantaa_buyer.organisation_id)
        )
        > 5
    )

    # View counts: every published service, on the last 90 days before today.
    days = db.session.execute(
        sa.select(
            sa.func.min(ServiceViewCount.day),
            sa.func.max(ServiceViewCount.day),
            sa.func.count(sa.distinct(ServiceViewCount.service_id)),
        )
    ).one()
    assert days[0] >= helsinki_today() - timedelta(days=90) and days[1] < helsinki_today()
    assert days[2] == db.session.scalar(sa.select(sa.func.count(CatalogueEntry.service_id)))

    # Governance and onboarding figures have something to show.
    assert {d.resolution for d in db.session.scalars(sa.select(Decision))} >= {"approved", "referred_up", "tabled"}
    quarters = {(d.decided_on.month - 1) // 3 for d in db.session.scalars(sa.select(Decision))}
    assert quarters == {0, 1, 2, 3}
    tasks = db.session.scalars(sa.select(Task)).all()
    assert any(t.overdue(helsinki_today()) for t in tasks) and any(t.status == "done" for t in tasks)
    applications = db.session.scalars(sa.select(ProviderApplication)).all()
    assert {a.status for a in applications} >= {"approved", "rejected", "in_review", "submitted"}
    assert all(a.decided_at > a.submitted_at for a in applications if a.decided_at)
