"""Procurement pages: requests and their approval, orders, spend; and the Stripe webhook."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.actions import attempt, save, undo
from app.csvutil import csv_response
from app.extensions import csrf, db
from app.models import Organisation, OrgKind
from app.params import paginate
from app.permissions import coordinator_required, is_coordinator, require
from app.services import ServiceError
from app.validators import format_payment_reference, whole_number
from marketplace import payments
from marketplace.procurement import services
from marketplace.procurement.forms import (
    AddServiceForm,
    AnswerForm,
    DecisionForm,
    DetailsForm,
    LineForm,
    OrderFilterForm,
    PaidForm,
)
from marketplace.procurement.labels import (
    ORDER_STATUS_LABELS,
    PAYMENT_METHOD_LABELS,
    PAYMENT_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
)
from marketplace.procurement.models import (
    Order,
    OrderStatus,
    PaymentStatus,
    ProcurementRequest,
    RequestLine,
    RequestStatus,
)
from marketplace.procurement.permissions import (
    can_answer_order,
    can_decide,
    can_see_orders,
    can_view_order,
    can_view_request,
    is_approver,
    is_buyer,
    is_municipality_person,
)

bp = Blueprint("procurement", __name__, url_prefix="/procurement")
webhook_bp = Blueprint("stripe", __name__, url_prefix="/stripe")
NOT_MUNICIPALITY = _l("Procurement requests are made by the people of a municipality.")
NOT_BUYER = _l("Only a buyer of a municipality can make procurement requests.")
NOT_YOURS = _l("This request belongs to another municipality.")
ORDER_NOT_YOURS = _l("This order belongs to other organisations.")
ORDERS_PAGE = 50


def _request(request_id: int) -> ProcurementRequest:
    found = db.get_or_404(
        ProcurementRequest, request_id, description=_l("There is no procurement request with this number.")
    )
    require(can_view_request(current_user, found), NOT_YOURS)
    return found


def _order(order_id: int) -> Order:
    found = db.get_or_404(Order, order_id, description=_l("There is no order with this number."))
    require(can_view_order(current_user, found), ORDER_NOT_YOURS)
    return found


def _own_request(request_id: int) -> ProcurementRequest:
    """A request its requester is working on (others may look but not change it)."""
    found = _request(request_id)
    require(found.requester_id == current_user.id, _l("Only the person who made the request can change it."))
    return found


def _line(found: ProcurementRequest, line_id: int) -> RequestLine:
    line = db.session.get(RequestLine, line_id)
    if line is None or line.request_id != found.id:
        abort(404, description=_("This request has no such line."))
    return line


# --- requests --------------------------------------------------------------------------------------


@bp.get("")
@login_required
def index():
    require(is_municipality_person(current_user), NOT_MUNICIPALITY)
    return render_template(
        "procurement/index.html",
        requests=services.requests_of(current_user.organisation_id),
        waiting=services.waiting_for(current_user) if is_approver(current_user) else [],
        is_buyer=is_buyer(current_user),
    )


@bp.post("/new")
@login_required
def new():
    require(is_buyer(current_user), NOT_BUYER)
    found = services.create_request(current_user)
    save()
    flash(_("A new request was started. Add services from the catalogue."), "success")
    return redirect(url_for("procurement.show", request_id=found.id))


@bp.post("/add")
@login_required
def add():
    """From a service page: put a plan on the buyer's current draft (a new one if none)."""
    require(is_buyer(current_user), NOT_BUYER)
    form = AddServiceForm()
    plan = None
    if form.validate():
        # ids as whole numbers an id column holds ("²" passes isdigit() but not int(); 10**20 overflows)
        service_id, plan_id = whole_number(form.service.data), whole_number(form.plan.data)
        if service_id is not None and plan_id is not None:
            plan = services.offered_plan(service_id, plan_id)
    if plan is None:
        flash(_("This service or pricing plan is not in the catalogue now, so it cannot be requested."), "error")
        return redirect(url_for("catalogue.index"))
    try:
        draft = services.draft_for(current_user)
        services.add_line(current_user, draft, plan)
    except ServiceError as exc:
        undo()
        flash(str(exc), "error")
        return redirect(url_for("catalogue.index"))
    save()
    flash(_("%(name)s was added to your request. Check the quantity and the term.", name=plan.service_name), "success")
    return redirect(url_for("procurement.show", request_id=draft.id))


@bp.get("/<int:request_id>")
@login_required
def show(request_id: int):
    found = _request(request_id)
    details = DetailsForm(obj=found)
    return _show(found, details)


def _show(found: ProcurementRequest, details: DetailsForm, decision: DecisionForm | None = None, status: int = 200):
    editable = found.is_draft and found.requester_id == current_user.id
    return render_template(
        "procurement/request.html",
        req=found,
        figures=services.totals(found),
        details=details,
        decision=decision or DecisionForm(formdata=None),
        editable=editable,
        can_decide=found.status == "pending_approval" and can_decide(current_user, found),
        threshold=services.THRESHOLD_CENTS,
    ), status


@bp.post("/<int:request_id>/details")
@login_required
def details(request_id: int):
    found = _own_request(request_id)
    form = DetailsForm()
    if not form.validate():
        return _show(found, form, status=400)
    attempt(
        lambda: services.update_details(current_user, found, form.purpose.data or "", form.cost_centre.data or ""),
        _("The details were saved."),
    )
    return redirect(url_for("procurement.show", request_id=found.id))


@bp.route("/<int:request_id>/lines/<int:line_id>", methods=["GET", "POST"])
@login_required
def line(request_id: int, line_id: int):
    found = _own_request(request_id)
    item = _line(found, line_id)
    plans = services.offered_plans(item.service_id)
    form = LineForm(obj=None if request.method == "POST" else item)
    form.plan.choices = [(p.id, p.name) for p in plans]
    if request.method == "GET":
        form.plan.data = item.plan_id
    status = 200
    if form.validate_on_submit():
        plan = next((p for p in plans if p.id == form.plan.data), None)
        if attempt(
            lambda: services.update_line(
                current_user, found, item, plan, form.quantity.data, form.term_start.data, form.term_end.data
            ),
            _("The line was saved."),
        ):
            return redirect(url_for("procurement.show", request_id=found.id))
        status = 400
    elif form.errors:
        status = 400
    return render_template(
        "procurement/line.html",
        req=found,
        line=item,
        form=form,
        plans=plans,
        editable=found.is_draft and found.requester_id == current_user.id,
    ), status


@bp.post("/<int:request_id>/lines/<int:line_id>/remove")
@login_required
def remove_line(request_id: int, line_id: int):
    found = _own_request(request_id)
    item = _line(found, line_id)
    attempt(lambda: services.remove_line(current_user, found, item), _("The line was removed."))
    return redirect(url_for("procurement.show", request_id=found.id))


@bp.post("/<int:request_id>/send")
@login_required
def send(request_id: int):
    found = _own_request(request_id)
    attempt(
        lambda: services.send_for_approval(current_user, found),
        _("The request was sent for approval. Another approver of your municipality decides it."),
    )
    return redirect(url_for("procurement.show", request_id=found.id))


@bp.post("/<int:request_id>/cancel")
@login_required
def cancel(request_id: int):
    found = _own_request(request_id)
    attempt(lambda: services.cancel(current_user, found), _("The request was cancelled."))
    return redirect(url_for("procurement.show", request_id=found.id))


@bp.post("/<int:request_id>/decide")
@login_required
def decide(request_id: int):
    found = _request(request_id)
    require(
        can_decide(current_user, found),
        _l("Only another approver of the same municipality can decide this request."),
    )
    if found.status != RequestStatus.PENDING_APPROVAL:  # decided meanwhile: its page no longer shows the form
        flash(_("This request is not waiting for approval."), "error")
        return redirect(url_for("procurement.show", request_id=found.id))
    form = DecisionForm()
    if not form.validate():
        return _show(found, DetailsForm(obj=found), form, status=400)
    approve = form.decision.data == "approve"
    attempt(
        lambda: services.decide(current_user, found, approve, form.comment.data or ""),
        _("The request was approved and the orders were sent to the providers.")
        if approve
        else _("The request was rejected."),
    )
    return redirect(url_for("procurement.show", request_id=found.id))


@bp.get("/spend")
@login_required
def spend():
    require(is_municipality_person(current_user), NOT_MUNICIPALITY)
    org_id = current_user.organisation_id
    return render_template(
        "procurement/spend.html", by_service=services.spend_by_service(org_id), by_year=services.spend_by_year(org_id)
    )


# --- orders -----------------------------------------------------------------------------------------


def _filters(form: OrderFilterForm) -> services.OrderFilters:
    """What the person may see, narrowed by the filters they chose."""
    data = form.data if form.validate() else {}
    filters = services.OrderFilters(
        status=data.get("status") or None, payment=data.get("payment") or None, year=data.get("year") or None
    )
    if is_coordinator(current_user):
        filters.municipality, filters.provider = data.get("municipality") or None, data.get("provider") or None
    elif is_municipality_person(current_user):
        filters.municipality = current_user.organisation_id
        filters.provider = data.get("provider") or None
    else:
        filters.provider = current_user.organisation_id
        filters.municipality = data.get("municipality") or None
    return filters


def _filter_form() -> OrderFilterForm:
    form = OrderFilterForm(request.args)
    orgs = list(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name, Organisation.kind)
            .where(Organisation.kind.in_([OrgKind.MUNICIPALITY.value, OrgKind.PROVIDER.value]))
            .order_by(Organisation.name)
        )
    )
    everyone = [(0, _("All"))]
    form.municipality.choices = everyone + [(i, n) for i, n, k in orgs if k == OrgKind.MUNICIPALITY]
    form.provider.choices = everyone + [(i, n) for i, n, k in orgs if k == OrgKind.PROVIDER]
    form.status.choices = [("", _("All"))] + [(s.value, str(ORDER_STATUS_LABELS[s.value])) for s in OrderStatus]
    form.payment.choices = [("", _("All"))] + [(s.value, str(PAYMENT_STATUS_LABELS[s.value])) for s in PaymentStatus]
    return form


@bp.get("/orders")
@login_required
def orders():
    require(can_see_orders(current_user), _l("Orders are seen by municipalities, providers and the coordinator."))
    form = _filter_form()
    filters = _filters(form)
    page = paginate(services.orders_stmt(filters), per_page=ORDERS_PAGE)
    receivable = (
        services.receivables(current_user.organisation_id)
        if current_user.organisation and current_user.organisation.is_provider
        else None
    )
    return render_template(
        "procurement/orders.html",
        page=page,
        form=form,
        receivable=receivable,
        args={k: v for k, v in request.args.items() if k != "page"},
    ), 400 if form.errors else 200


@bp.get("/orders.csv")
@coordinator_required
def orders_csv():
    filters = _filters(_filter_form())
    rows = db.session.scalars(services.orders_stmt(filters).limit(100_000))
    header = [
        _("Order number"),
        _("Payment reference"),
        _("Municipality"),
        _("Provider"),
        _("Status"),
        _("Contract period starts"),
        _("Contract period ends"),
        _("Excl. VAT €"),
        _("VAT €"),
        _("Incl. VAT €"),
        _("Payment"),
        _("Paid"),
    ]
    return csv_response(
        "orders.csv",
        header,
        (
            [
                o.reference,
                o.payment_reference,
                o.organisation.name,
                o.provider.name,
                str(ORDER_STATUS_LABELS[o.status]),
                o.term_start.isoformat(),
                o.term_end.isoformat(),
                _euros(o.net_cents),
                _euros(o.vat_cents),
                _euros(o.gross_cents),
                str(PAYMENT_STATUS_LABELS[o.payment_status]),
                o.paid_at.date().isoformat() if o.paid_at else "",
            ]
            for o in rows
        ),
    )


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f}"


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    found = _order(order_id)
    return _show_order(found)


def _show_order(found: Order, answer: AnswerForm | None = None, status: int = 200):
    return render_template(
        "procurement/order.html",
        order=found,
        answer=answer or AnswerForm(formdata=None),
        paid_form=PaidForm(formdata=None),
        can_answer=can_answer_order(current_user, found) and found.status == OrderStatus.SENT,
        coordinator=is_coordinator(current_user),
        stripe_on=payments.is_configured(),
    ), status


@bp.post("/orders/<int:order_id>/answer")
@login_required
def answer(order_id: int):
    found = _order(order_id)
    require(can_answer_order(current_user, found), _l("Only the provider of the order can answer it."))
    if found.status != OrderStatus.SENT:  # answered meanwhile: its page no longer shows the form
        flash(_("This order has already been answered."), "error")
        return redirect(url_for("procurement.order", order_id=found.id))
    form = AnswerForm()
    if not form.validate():
        return _show_order(found, form, status=400)
    accept = form.decision.data == "accept"
    if (
        attempt(
            lambda: services.provider_decide(current_user, found, accept, form.reason.data or ""),
            _("The order was accepted and is now in force for its term.") if accept else _("The order was declined."),
        )
        and accept
    ):
        # Invoicing talks to Stripe: after the acceptance is safely stored, in its own transaction.
        services.invoice_order(found, current_user)
        save()
        if found.payment_status == PaymentStatus.INVOICE_PENDING:
            flash(
                _("The invoice could not be created yet; the coordinator can retry it. The acceptance is saved."),
                "warning",
            )
    return redirect(url_for("procurement.order", order_id=found.id))


@bp.post("/orders/<int:order_id>/invoice")
@coordinator_required
def retry_invoice(order_id: int):
    found = _order(order_id)
    if found.payment_status != PaymentStatus.INVOICE_PENDING:
        flash(_("This order has no invoice waiting to be created."), "error")
    else:
        services.invoice_order(found, current_user)
        save()
        if found.payment_status == PaymentStatus.INVOICED:
            flash(_("The invoice was created and sent."), "success")
        else:
            flash(_("The invoice could still not be created: %(error)s", error=found.payment_error), "error")
    return redirect(url_for("procurement.order", order_id=found.id))


@bp.post("/orders/<int:order_id>/paid")
@coordinator_required
def mark_paid(order_id: int):
    found = _order(order_id)
    form = PaidForm()
    if form.validate():
        attempt(lambda: services.mark_paid(current_user, found, form.note.data or ""), _("The order was marked paid."))
    else:
        flash(_("The payment note is too long."), "error")
    return redirect(url_for("procurement.order", order_id=found.id))


# --- Stripe ------------------------------------------------------------------------------------------


@webhook_bp.post("/webhook")
@csrf.exempt
def webhook():
    """Stripe's events: verified by signature, each stored once, applied to the order's payment."""
    try:
        event = payments.verify_event(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except payments.MalformedEvent as exc:  # signed with our secret, yet not an event: keep a record
        services.record_refused_stripe_event(exc.reason, exc.excerpt)
        save()
        return jsonify(error=exc.reason), 400
    except payments.InvalidEvent as exc:
        return jsonify(error=str(exc)), 400
    outcome = services.record_stripe_event(event)
    save()
    return jsonify(message=outcome.message), outcome.status


# --- template helpers ----------------------------------------------------------------------------------


@bp.app_template_global()
def request_status_label(status: str) -> str:

    return str(REQUEST_STATUS_LABELS.get(status, status))


@bp.app_template_global()
def order_status_label(status: str) -> str:
    return str(ORDER_STATUS_LABELS.get(status, status))


@bp.app_template_global()
def payment_status_label(status: str) -> str:
    return str(PAYMENT_STATUS_LABELS.get(status, status))


@bp.app_template_global()
def payment_method_label(method: str) -> str:

    return str(PAYMENT_METHOD_LABELS.get(method, method))


@bp.app_template_global()
def payment_reference_text(value: str | None) -> str:

    return format_payment_reference(value) if value else "–"


@bp.app_template_global()
def in_municipality(user) -> bool:
    return is_municipality_person(user)


@bp.app_template_global()
def can_request_services() -> bool:
    return is_buyer(current_user)
