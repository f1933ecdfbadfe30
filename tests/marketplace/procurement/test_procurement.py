"""Procurement: requests, totals and VAT, the threshold, four eyes, orders, the provider's answer,
manual payment and the records; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.audit import AuditEvent
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.mail import OutboxMessage
from app.services import ServiceError
from app.validators import format_payment_reference, is_valid_payment_reference, payment_reference
from marketplace.catalogue import services as catalogue
from marketplace.catalogue.models import Service
from marketplace.procurement import services
from marketplace.procurement.models import Order, PaymentCustomer, ProcurementRequest, StripeEvent
from tests import factories, figures
from tests.stripe_fake import invoice_event, signed_event
from tests.stripe_servers import WEBHOOK_SECRET
from tests.support.procurement import add, latest_request, published, set_line


@pytest.fixture()
def english(people):
    for person in people.values():
        if hasattr(person, "locale"):
            person.locale = "en"
    db.session.commit()


@pytest.fixture()
def two_services(app, people):
    maths = published(app, people, name="Matematiikan polku", slug="matematiikan-polku")
    words = published(
        app,
        people,
        "other_provider",
        name="Sanasilta",
        slug="sanasilta",
        plans=((800, "per_pupil_year", 2550, 100), (15000, "one_off", 1400, 1)),
    )
    return maths, words


# --- Finnish figures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "expected"), [("123", "1232"), ("1234567", "12345672"), ("1000", "10003"), ("2026000123", "20260001230")]
)
def test_payment_reference_check_digits(base, expected):
    assert payment_reference(base) == expected
    assert is_valid_payment_reference(expected)
    assert not is_valid_payment_reference(expected[:-1] + str((int(expected[-1]) + 1) % 10))


def test_payment_references_are_printed_in_groups_of_five():
    assert format_payment_reference("20260001230") == "2 02600 01230"


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 8, 1), date(2027, 7, 31), 12),
        (date(2026, 8, 15), date(2026, 9, 14), 1),
        (date(2026, 8, 15), date(2026, 9, 20), 2),
        (date(2026, 1, 31), date(2026, 2, 27), 1),
        (date(2026, 8, 1), date(2026, 8, 1), 1),
    ],
)
def test_term_months_count_started_months(start, end, months):
    assert services.term_months(start, end) == months


@pytest.mark.parametrize(
    ("model", "unit", "quantity", "months", "net"),
    [
        ("per_pupil_year", 1250, 1200, 12, 1_500_000),
        ("per_pupil_year", 1250, 1200, 5, 625_000),
        ("per_pupil_year", 999, 7, 5, 2914),  # 2913.75 rounds half up to the cent
        ("per_user_month", 350, 10, 6, 21_000),
        ("one_off", 15000, 2, 24, 30_000),
        ("free", 0, 500, 12, 0),
    ],
)
def test_line_prices_for_each_model(model, unit, quantity, months, net):
    assert services.line_net_cents(model, unit, quantity, months) == net


@pytest.mark.parametrize(
    ("net", "rate", "vat"),
    [
        (100, 2550, 26),
        (1, 2550, 0),
        (2, 2550, 1),
        (1_500_000, 2550, 382_500),
        (30_000, 1400, 4200),
        (1234, 1000, 123),
        (50, 1000, 5),
    ],
)
def test_vat_is_rounded_per_line_to_the_cent(net, rate, vat):
    assert services.vat_cents(net, rate) == vat


# --- a request through the web pages -----------------------------------------------------------------


def test_a_buyer_requests_two_services_and_sees_totals_per_vat_rate(app, people, login_as, two_services, english):
    maths, words = two_services
    buyer = login_as("buyer")
    assert add(buyer, maths).status_code == 302
    assert add(buyer, words, 1).status_code == 302  # the one-off plan, VAT 14 %
    request = latest_request()
    assert [line.service_name for line in request.lines] == ["Matematiikan polku", "Sanasilta"]
    assert set_line(buyer, request.id, request.lines[0], quantity=1200).status_code == 302
    html = buyer.get(f"/procurement/{request.id}").get_data(as_text=True)
    # 1 200 x 12.50 = 15 000.00 at 25.5 %; 150.00 one-off at 14 %.
    assert "15,150.00" in html  # total excluding VAT
    assert "3,825.00" in html and "21.00" in html  # VAT per rate
    assert "18,996.00" in html  # total including VAT


def test_sending_copies_prices_so_later_changes_do_not_alter_the_request(app, people, login_as, two_services):
    maths, _words = two_services
    buyer = login_as("buyer")
    add(buyer, maths)
    request = latest_request()
    set_line(buyer, request.id, request.lines[0], quantity=1200)
    buyer.post_form(
        f"/procurement/{request.id}/details", {"purpose": "Yläkoulujen matematiikka", "cost_centre": "4100"}
    )
    assert buyer.post_form(f"/procurement/{request.id}/send").status_code == 302
    db.session.refresh(request)
    assert request.status == "pending_approval" and request.net_cents == 1_500_000
    assert request.vat_cents == 382_500
    # The provider raises the price and the new version is published.
    plan = maths.plans[0]
    with app.test_request_context():
        catalogue.save_plan(people["provider_admin"], maths, {**plan.snapshot(), "unit_price_cents": 2000}, plan)
        catalogue.submit(people["provider_admin"], maths)
        catalogue.publish(people["coordinator"], maths)
    db.session.commit()
    figures = services.totals(db.session.get(ProcurementRequest, request.id))
    assert figures.net_cents == 1_500_000 and figures.lines[0].unit_price_cents == 1250
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient == people["approver"].email)
        )
        == 1
    )


def test_a_request_at_the_threshold_cannot_be_a_direct_order_but_is_kept(app, people, login_as, english):
    big = published(app, people, name="Iso alusta", slug="iso-alusta", plans=((5000, "per_pupil_year", 2550, 1),))
    buyer = login_as("buyer")
    add(buyer, big)
    request = latest_request()
    set_line(buyer, request.id, request.lines[0], quantity=1200)  # 1 200 x 50.00 = exactly 60 000.00 EUR excl. VAT
    buyer.post_form(f"/procurement/{request.id}/details", {"purpose": "Kaikki koulut"})
    response = buyer.post_form(f"/procurement/{request.id}/send", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "competitive tendering" in html and "saved for the record" in html
    db.session.refresh(request)
    assert request.status == "draft" and len(request.lines) == 1
    set_line(buyer, request.id, request.lines[0], quantity=1199)  # 59 950.00: below the threshold
    assert buyer.post_form(f"/procurement/{request.id}/send").status_code == 302
    db.session.refresh(request)
    assert request.status == "pending_approval"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"quantity": "0"}, "at least 1"),
        ({"quantity": "-5"}, "at least 1"),
        ({"quantity": "kaksi"}, "whole number"),
        ({"quantity": "50"}, "minimum quantity is 100"),
        ({"term_start": "1.9.2027", "term_end": "31.8.2028"}, None),
        ({"term_start": "1.8.2027", "term_end": "31.7.2026"}, "cannot end before it starts"),
        ({"term_start": "31.2.2027"}, "day.month.year"),
        ({"term_start": "1.8.2026", "term_end": "31.7.2031"}, "at most four years"),
    ],
)
def test_bad_lines_get_a_clear_message_and_nothing_is_lost(
    app, people, login_as, two_services, english, values, message
):
    _maths, words = two_services  # the per-pupil plan has a minimum of 100
    buyer = login_as("buyer")
    add(buyer, words)
    request = latest_request()
    line = request.lines[0]
    before = (line.quantity, line.term_start, line.term_end)
    response = set_line(buyer, request.id, line, **{"quantity": "150", **values})
    db.session.refresh(line)
    if message is None:
        assert response.status_code == 302 and (line.quantity, line.term_start) == (150, date(2027, 9, 1))
        return
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert (line.quantity, line.term_start, line.term_end) == before  # nothing changed


def test_a_withdrawn_service_cannot_be_requested_or_sent(app, people, login_as, two_services, english):
    maths, _words = two_services
    buyer = login_as("buyer")
    add(buyer, maths)
    request = latest_request()
    buyer.post_form(f"/procurement/{request.id}/details", {"purpose": "Kokeilu"})
    with app.test_request_context():
        catalogue.withdraw(people["provider_admin"], maths)
    db.session.commit()
    html = buyer.post_form(f"/procurement/{request.id}/send", follow_redirects=True).get_data(as_text=True)
    assert "no longer in the catalogue" in html
    assert db.session.get(ProcurementRequest, request.id).status == "draft"
    response = buyer.post_form(
        "/procurement/add", {"service": maths.id, "plan": maths.plans[0].id}, follow_redirects=True
    )
    assert "not in the catalogue" in response.get_data(as_text=True)
    assert len(db.session.get(ProcurementRequest, request.id).lines) == 1


def test_an_add_button_with_a_number_no_id_column_holds_is_refused(people, login_as, two_services, english):
    """The hidden ids of the add button, edited: "²" passed isdigit() but not int(), 10**20 overflowed (500s)."""
    maths, _words = two_services
    buyer = login_as("buyer")
    for service, plan in (
        ("²", maths.plans[0].id),
        (maths.id, "١"),
        ("100000000000000000000", maths.plans[0].id),
        (maths.id, "2147483648"),
        ("9" * 5000, "1"),
    ):
        response = buyer.post_form("/procurement/add", {"service": service, "plan": plan}, follow_redirects=True)
        assert response.status_code == 200, (service, plan)
        assert "not in the catalogue" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcurementRequest)) == 0


def sent_request(app, people, login_as, service, quantity=1200) -> ProcurementRequest:
    buyer = login_as("buyer")
    add(buyer, service)
    request = latest_request()
    set_line(buyer, request.id, request.lines[0], quantity=quantity)
    buyer.post_form(f"/procurement/{request.id}/details", {"purpose": "Yläkoulut", "cost_centre": "4100"})
    assert buyer.post_form(f"/procurement/{request.id}/send").status_code == 302
    db.session.refresh(request)
    assert request.status == "pending_approval"
    return request


# --- four eyes -----------------------------------------------------------------------------------------


def test_another_approver_approves_and_orders_go_to_each_provider(app, people, login_as, two_services):
    maths, words = two_services
    buyer = login_as("buyer")
    add(buyer, maths)
    add(buyer, words)
    request = latest_request()
    buyer.post_form(f"/procurement/{request.id}/details", {"purpose": "Yläkoulut"})
    assert buyer.post_form(f"/procurement/{request.id}/send").status_code == 302
    approver = login_as("approver")
    assert f"/procurement/{request.id}" in approver.get("/procurement").get_data(as_text=True)
    response = approver.post_form(f"/procurement/{request.id}/decide", {"decision": "approve", "comment": "Ok"})
    assert response.status_code == 302
    db.session.refresh(request)
    assert request.status == "approved" and request.decided_by_id == people["approver"].id
    orders = request.orders
    assert sorted(o.provider_id for o in orders) == sorted([people["provider"].id, people["other_provider"].id])
    year = date.today().year
    for order in orders:
        assert re.fullmatch(rf"PO-{year}-\d{{6}}", order.reference)
        assert is_valid_payment_reference(order.payment_reference)
        assert order.status == "sent" and order.payment_status == "not_invoiced"
        assert order.net_cents == sum(line.net_cents for line in order.lines)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"procurement.sent", "procurement.approved"} <= actions
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert people["buyer"].email in recipients and people["provider_admin"].email in recipients


def test_the_requester_can_never_approve_their_own_request(app, people, login_as, two_services):
    maths, _words = two_services
    request = sent_request(app, people, login_as, maths)
    people["buyer"].org_role = "approver"  # the buyer becomes an approver afterwards
    db.session.commit()
    response = login_as("buyer").post_form(f"/procurement/{request.id}/decide", {"decision": "approve"})
    assert response.status_code == 403
    assert db.session.get(ProcurementRequest, request.id).status == "pending_approval"
    with force_locale("en"), pytest.raises(ServiceError, match="own request"):
        services.decide(people["buyer"], request, True, "")


def test_approvers_of_other_municipalities_cannot_see_or_decide(app, people, login_as, two_services):
    maths, _words = two_services
    request = sent_request(app, people, login_as, maths)
    other = login_as("other_approver")
    assert other.get(f"/procurement/{request.id}").status_code == 403
    assert other.post_form(f"/procurement/{request.id}/decide", {"decision": "approve"}).status_code == 403
    assert db.session.get(ProcurementRequest, request.id).status == "pending_approval"


def test_rejecting_needs_a_comment_and_a_decided_request_stays_decided(app, people, login_as, two_services, english):
    maths, _words = two_services
    request = sent_request(app, people, login_as, maths)
    approver = login_as("approver")
    html = approver.post_form(
        f"/procurement/{request.id}/decide", {"decision": "reject"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "why the request is rejected" in html
    approver.post_form(f"/procurement/{request.id}/decide", {"decision": "reject", "comment": "Ei budjettia"})
    assert db.session.get(ProcurementRequest, request.id).status == "rejected"
    second = factories.UserFactory(organisation=people["municipality"], org_role="approver")
    with force_locale("en"), pytest.raises(ServiceError, match="not waiting for approval"):
        services.decide(second, db.session.get(ProcurementRequest, request.id), True, "")
    assert not db.session.scalars(sa.select(Order)).all()


def test_two_approvers_at_the_same_moment_only_one_succeeds(app, people, login_as, two_services):
    """Two real connections (threads with their own sessions) decide at once: exactly one wins."""
    maths, _words = two_services
    request = sent_request(app, people, login_as, maths)
    approvers = [
        people["approver"].id,
        factories.UserFactory(organisation=people["municipality"], org_role="approver").id,
    ]
    db.session.commit()
    request_id, user_class = request.id, type(people["approver"])  # the threads touch no object of this session
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user_id: int) -> None:
        try:
            with app.app_context():
                user = db.session.get(user_class, user_id)
                found = db.session.get(ProcurementRequest, request_id)
                barrier.wait(timeout=10)
                try:
                    services.decide(user, found, True, "")
                    db.session.commit()
                    outcomes.append("approved")
                except (ServiceError, sa.exc.OperationalError):  # SQLite may also say the database is locked
                    db.session.rollback()
                    outcomes.append("refused")
        except Exception as exc:
            outcomes.append(f"error: {exc!r}")

    threads = [threading.Thread(target=decide, args=(user_id,), daemon=True) for user_id in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["approved", "refused"], outcomes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "procurement.approved")
        )
        == 1
    )
    figures.note(
        "races",
        "two approvers approving one request at once",
        "1 approval, 1 order and 1 audit event from 2 decisions; the other refused",
    )


# --- the provider's answer and payment -------------------------------------------------------------------


def approved_order(app, people, login_as, service) -> Order:
    request = sent_request(app, people, login_as, service)
    assert (
        login_as("approver").post_form(f"/procurement/{request.id}/decide", {"decision": "approve"}).status_code == 302
    )
    return db.session.scalar(sa.select(Order).where(Order.request_id == request.id))


def test_the_provider_accepts_and_the_coordinator_records_a_manual_payment(
    app, people, login_as, two_services, english
):
    maths, _words = two_services
    order = approved_order(app, people, login_as, maths)
    provider = login_as("provider_user")
    assert order.reference in provider.get("/procurement/orders").get_data(as_text=True)
    assert provider.post_form(f"/procurement/orders/{order.id}/answer", {"decision": "accept"}).status_code == 302
    db.session.refresh(order)
    assert order.status == "active" and order.payment_method == "manual"
    assert order.payment_status == "not_invoiced"  # manual invoicing: nothing is sent anywhere
    again = provider.post_form(f"/procurement/orders/{order.id}/answer", {"decision": "decline", "reason": "x"})
    assert again.status_code == 302 and db.session.get(Order, order.id).status == "active"
    coordinator = login_as("coordinator")
    assert (
        coordinator.post_form(f"/procurement/orders/{order.id}/paid", {"note": "Maksettu 1.9.2026"}).status_code == 302
    )
    db.session.refresh(order)
    assert order.payment_status == "paid" and order.paid_at is not None
    spend = login_as("buyer").get("/procurement/spend").get_data(as_text=True)
    assert "Matematiikan polku" in spend and "15,000.00" in spend


def test_declining_needs_a_reason_and_tells_the_municipality(app, people, login_as, two_services, english):
    maths, _words = two_services
    order = approved_order(app, people, login_as, maths)
    provider = login_as("provider_admin")
    response = provider.post_form(
        f"/procurement/orders/{order.id}/answer", {"decision": "decline"}, follow_redirects=True
    )
    assert "why the order is declined" in response.get_data(as_text=True)
    assert db.session.get(Order, order.id).status == "sent"
    provider.post_form(
        f"/procurement/orders/{order.id}/answer", {"decision": "decline", "reason": "Kapasiteetti ei riitä"}
    )
    assert db.session.get(Order, order.id).status == "declined"
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient == people["buyer"].email, OutboxMessage.body.contains("Kapasiteetti"))
        )
        == 1
    )


def test_other_organisations_cannot_see_or_answer_an_order(app, people, login_as, two_services):
    maths, _words = two_services
    order = approved_order(app, people, login_as, maths)
    for outsider in ("other_provider_user", "other_approver", "no_org"):
        assert login_as(outsider).get(f"/procurement/orders/{order.id}").status_code == 403
    assert (
        login_as("other_provider_user")
        .post_form(f"/procurement/orders/{order.id}/answer", {"decision": "accept"})
        .status_code
        == 403
    )
    assert (
        login_as("buyer").post_form(f"/procurement/orders/{order.id}/answer", {"decision": "accept"}).status_code == 403
    )
    assert db.session.get(Order, order.id).status == "sent"


def test_the_coordinator_exports_filtered_orders_as_csv(app, people, login_as, two_services):
    maths, _words = two_services
    first = approved_order(app, people, login_as, maths)
    login_as("provider_user").post_form(f"/procurement/orders/{first.id}/answer", {"decision": "accept"})
    csv = login_as("coordinator").get(f"/procurement/orders.csv?provider={people['provider'].id}&status=active")
    text = csv.get_data(as_text=True)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert first.reference in text and first.payment_reference in text and "15000.00" in text
    none = login_as("coordinator").get("/procurement/orders.csv?status=declined").get_data(as_text=True)
    assert first.reference not in none
    assert login_as("buyer").get("/procurement/orders.csv").status_code == 403


def test_a_provider_sees_its_receivables(app, people, login_as, two_services, english):
    maths, _words = two_services
    order = approved_order(app, people, login_as, maths)
    provider = login_as("provider_user")
    provider.post_form(f"/procurement/orders/{order.id}/answer", {"decision": "accept"})
    html = provider.get("/procurement/orders").get_data(as_text=True)
    assert "1 accepted order not yet paid" in html and "18,825.00" in html


def test_order_and_request_lists_cost_the_same_statements_however_long(app, people, client, count_queries):
    def make(n: int) -> None:
        for _ in range(n):
            order = factories.OrderFactory(
                request__organisation=people["municipality"], request__requester=people["buyer"]
            )  # each from another provider
            factories.RequestLineFactory(request=order.request, order_id=order.id)
        db.session.commit()

    client.login(people["coordinator"].email)
    make(2)
    few = count_queries("/procurement/orders")
    make(10)
    assert count_queries("/procurement/orders") == few
    client.post_form("/logout")
    client.login(people["buyer"].email)
    few = count_queries("/procurement")
    make(5)
    assert count_queries("/procurement") == few


# --- Stripe: invoices and webhooks against localstripe and the fake, over HTTP ------------------------------


def post_event(client, event: dict, secret: str = WEBHOOK_SECRET, tamper: bool = False):
    payload, header = signed_event(event, secret)
    if tamper:
        payload = payload.replace(b'"invoice', b'"invoicx', 1)
    return client.post(
        "/stripe/webhook", data=payload, headers={"Stripe-Signature": header}, content_type="application/json"
    )


def accepted_with_invoice(app, people, login_as, service, servers) -> Order:
    order = approved_order(app, people, login_as, service)
    assert order.payment_method == "stripe_invoice"
    response = login_as("provider_admin").post_form(f"/procurement/orders/{order.id}/answer", {"decision": "accept"})
    assert response.status_code == 302
    db.session.refresh(order)
    return order


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def test_acceptance_sends_a_stripe_invoice_with_vat_per_line(app, people, login_as, two_services, stripe_config):
    maths, _words = two_services
    order = accepted_with_invoice(app, people, login_as, maths, stripe_config)
    assert order.status == "active" and order.payment_status == "invoiced"
    invoice = stripe_config.fake.invoices[order.stripe_invoice_id]
    assert invoice["collection_method"] == "send_invoice" and invoice["status"] == "open"
    assert invoice["metadata"]["order_reference"] == order.reference
    assert invoice["metadata"]["payment_reference"] == order.payment_reference
    assert (invoice["subtotal"], invoice["total"]) == (order.net_cents, order.gross_cents) == (1_500_000, 1_882_500)
    assert order.due_date is not None and (order.due_date - date.today()).days in (29, 30, 31)
    customer = db.session.get(PaymentCustomer, people["municipality"].id)
    assert customer is not None and invoice["customer"] == customer.stripe_customer_id
    # A second order of the same municipality reuses its Stripe customer.
    second = accepted_with_invoice(app, people, login_as, maths, stripe_config)
    assert stripe_config.fake.invoices[second.stripe_invoice_id]["customer"] == customer.stripe_customer_id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaymentCustomer)) == 1


def test_a_retried_invoicing_never_makes_a_second_invoice(app, people, login_as, two_services, stripe_config):
    maths, _words = two_services
    order = accepted_with_invoice(app, people, login_as, maths, stripe_config)
    first = order.stripe_invoice_id
    # As if the first answer had been lost: the order still waits for its invoice, and is invoiced again.
    order.payment_status, order.stripe_invoice_id = "invoice_pending", None
    db.session.commit()
    assert login_as("coordinator").post_form(f"/procurement/orders/{order.id}/invoice").status_code == 302
    db.session.refresh(order)
    assert order.stripe_invoice_id == first and order.payment_status == "invoiced"
    assert len(stripe_config.fake.invoices) == 1
    assert len([i for i in stripe_config.fake.invoice_items.values() if i.get("invoice") == first]) == 1


def test_when_stripe_is_unreachable_the_acceptance_stands_and_invoicing_can_be_retried(
    app, people, login_as, two_services, stripe_config, english
):
    maths, _words = two_services
    order = approved_order(app, people, login_as, maths)
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    response = login_as("provider_admin").post_form(
        f"/procurement/orders/{order.id}/answer", {"decision": "accept"}, follow_redirects=True
    )
    assert "could not be created yet" in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == "active" and order.payment_status == "invoice_pending" and order.payment_error
    app.config["STRIPE_API_BASE"] = stripe_config.api_base
    login_as("coordinator").post_form(f"/procurement/orders/{order.id}/invoice")
    db.session.refresh(order)
    assert order.payment_status == "invoiced" and order.stripe_invoice_id in stripe_config.fake.invoices


def test_a_signed_invoice_paid_event_marks_the_order_paid_once(
    app, people, login_as, two_services, stripe_config, client
):
    maths, _words = two_services
    order = accepted_with_invoice(app, people, login_as, maths, stripe_config)
    invoice = stripe_config.fake.invoices[order.stripe_invoice_id]
    event = invoice_event("invoice.paid", {**invoice, "status": "paid"})
    response = post_event(client, event)
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.payment_status == "paid" and order.paid_at is not None
    before = audit_count()
    replay = post_event(client, event)  # Stripe retries: the same event again
    assert replay.status_code == 200 and "already processed" in replay.get_json()["message"]
    assert audit_count() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 1
    spend = login_as("buyer").get("/procurement/spend").get_data(as_text=True)
    assert "Matematiikan polku" in spend


def test_events_out_of_order_never_undo_a_later_status(app, people, login_as, two_services, stripe_config, client):
    maths, _words = two_services
    order = accepted_with_invoice(app, people, login_as, maths, stripe_config)
    invoice = {"id": order.stripe_invoice_id, "object": "invoice"}
    assert post_event(client, invoice_event("invoice.paid", invoice)).status_code == 200
    for late in ("invoice.payment_failed", "invoice.sent", "invoice.finalized"):
        assert post_event(client, invoice_event(late, invoice)).status_code == 200
    db.session.refresh(order)
    assert order.payment_status == "paid"
    outcomes = dict(db.session.execute(sa.select(StripeEvent.type, StripeEvent.outcome)).all())
    assert outcomes["invoice.paid"] == "applied" and outcomes["invoice.payment_failed"] == "superseded"


def test_bad_signatures_and_unknown_events(app, people, login_as, two_services, stripe_config, client):
    maths, _words = two_services
    order = accepted_with_invoice(app, people, login_as, maths, stripe_config)
    invoice = {"id": order.stripe_invoice_id, "object": "invoice"}
    wrong_secret = post_event(client, invoice_event("invoice.paid", invoice), secret="whsec_someone_else")
    tampered = post_event(client, invoice_event("invoice.paid", invoice), tamper=True)
    unsigned = client.post("/stripe/webhook", data=b"{}", content_type="application/json")
    not_json = client.post("/stripe/webhook", data=b"\xff\xfe", headers={"Stripe-Signature": "t=1,v1=00"})
    assert [r.status_code for r in (wrong_secret, tampered, unsigned, not_json)] == [400, 400, 400, 400]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    db.session.refresh(order)
    assert order.payment_status == "invoiced"
    unknown = post_event(client, invoice_event("customer.tax_id.created", invoice))
    assert unknown.status_code == 200 and "not used" in unknown.get_json()["message"]
    assert db.session.scalar(sa.select(StripeEvent.outcome)) == "unhandled_type"
    missing = post_event(client, {"id": "evt_incomplete", "object": "event", "type": "invoice.paid"})
    assert missing.status_code == 400 and order.payment_status == "invoiced"


def test_duplicate_deliveries_at_the_same_moment_have_one_effect(app, people, login_as, two_services, stripe_config):
    """Two concurrent deliveries of one event (separate requests and connections): one applies it."""
    maths, _words = two_services
    order = accepted_with_invoice(app, people, login_as, maths, stripe_config)
    payload, header = signed_event(
        invoice_event("invoice.paid", {"id": order.stripe_invoice_id, "object": "invoice"}), WEBHOOK_SECRET
    )
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def deliver() -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        statuses.append(
            client.post(
                "/stripe/webhook", data=payload, headers={"Stripe-Signature": header}, content_type="application/json"
            ).status_code
        )

    threads = [threading.Thread(target=deliver, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 200]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "order.payment_status")
        )
        == 1
    )
    figures.note(
        "races",
        "two deliveries of one Stripe webhook event at once",
        "1 stored event and 1 payment change from 2 deliveries, both answered 200",
    )


def test_the_demo_walkthrough_with_stripe(app, runner, stripe_config):
    """As a new user would with the demo data: a Vantaa buyer requests two services for 1 200 pupils,
    another Vantaa user approves, the provider accepts, the invoice is in the local Stripe server, a
    signed invoice.paid marks the order paid, and Vantaa's spend page shows it."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    buyer = app.test_client()
    buyer.login("buyer.vantaa@example.com", DEMO_PASSWORD)
    for slug in ("lukujono", "derivaattori"):
        service = db.session.scalar(sa.select(Service).where(Service.slug == slug))
        assert add(buyer, service).status_code == 302
    request = latest_request()
    for line in request.lines:
        assert set_line(buyer, request.id, line, quantity=1200).status_code == 302
    buyer.post_form(
        f"/procurement/{request.id}/details", {"purpose": "Yläkoulujen matematiikka", "cost_centre": "4100 Perusopetus"}
    )
    assert buyer.post_form(f"/procurement/{request.id}/send").status_code == 302
    approver = app.test_client()
    approver.login("approver.vantaa@example.com", DEMO_PASSWORD)
    assert approver.post_form(f"/procurement/{request.id}/decide", {"decision": "approve"}).status_code == 302
    order = db.session.scalar(sa.select(Order).where(Order.request_id == request.id))
    provider = app.test_client()
    provider.login("provider4@example.com", DEMO_PASSWORD)
    assert provider.post_form(f"/procurement/orders/{order.id}/answer", {"decision": "accept"}).status_code == 302
    db.session.refresh(order)
    invoice = stripe_config.fake.invoices[order.stripe_invoice_id]
    assert invoice["total"] == order.gross_cents and invoice["status"] == "open"
    assert (
        post_event(app.test_client(), invoice_event("invoice.paid", {**invoice, "status": "paid"})).status_code == 200
    )
    db.session.refresh(order)
    assert order.payment_status == "paid"
    spend = buyer.get("/procurement/spend").get_data(as_text=True)
    assert "Lukujono" in spend and "Derivaattori" in spend
