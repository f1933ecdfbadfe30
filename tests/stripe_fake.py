"""A small stateful fake of the Stripe HTTP API that sits in front of a real localstripe.

localstripe does customers, tax rates, payment methods and more, but not one-off invoices
(create without a subscription, finalize, send). `StripeFake` serves those itself, with
Stripe's JSON shapes, and forwards every other request to localstripe unchanged, so the
official `stripe` library pointed at `StripeFake.url` makes real HTTP calls for everything.

Like Stripe, every POST carrying an `Idempotency-Key` (the library sends one on each POST)
is answered once: a second request with the same key gets the first answer back (status
and body, with `Idempotent-Replayed: true`) and changes nothing, forwarded or not. A key
reused with a different request is refused with an `idempotency_error`, as Stripe does.

Also here: `signed_event` and `invoice_event`, to build webhook deliveries for tests.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import re
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import stripe

Json = dict[str, Any]

_ALPHANUMERIC = string.ascii_letters + string.digits
_DAY = 86400


def new_id(prefix: str) -> str:
    """A Stripe-looking object id such as `in_1Q2w3E4r5T6y7U8i9O0pAsDf`."""
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(24))


# --------------------------------------------------------------------------- requests


class StripeFailure(Exception):
    """An API error, answered as Stripe does: `{"error": {...}}` with an HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        param: str | None = None,
        code: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error: Json = {"type": kind, "message": message}
        if param is not None:
            self.error["param"] = param
        if code is not None:
            self.error["code"] = code

    def response(self) -> Response:
        return Response.json(self.status, {"error": self.error})


def parse_form(text: str) -> Json:
    """Stripe's form encoding as nested data: `a[b]=1` a dict, `a[0]=x` or `a[]=x` a list."""
    root: Json = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        segments = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))] if match else [key]
        node = root
        for depth, segment in enumerate(segments):
            if segment == "":  # `a[]`: the next free position
                segment = str(len(node))
            if depth == len(segments) - 1:
                node[segment] = value
                break
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                raise StripeFailure(400, f"Invalid parameter structure for {key}", param=segments[0])
            node = child
    return _lists_from_indexes(root)


def _lists_from_indexes(node: Any) -> Any:
    """Dicts keyed only by 0, 1, 2... become lists (in index order)."""
    if not isinstance(node, dict):
        return node
    converted = {key: _lists_from_indexes(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


@dataclass
class Request:
    """One HTTP request as the fake sees it."""

    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key") or None

    def params(self) -> Json:
        """The request's parameters: the query for GET and DELETE, the form body for POST."""
        if self.method == "POST":
            text = self.body.decode("utf-8")
            if self.headers.get("content-type", "").startswith("application/json"):
                return json.loads(text or "{}")
            return parse_form(text)
        return parse_form(self.query)


@dataclass
class Response:
    """An HTTP answer: status, body and content type (plus extra headers)."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any) -> Response:
        return cls(status, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


@dataclass(frozen=True)
class RecordedRequest:
    """What the fake received, for tests that count calls."""

    method: str
    path: str
    idempotency_key: str | None
    replayed: bool


# --------------------------------------------------------------------------- helpers


def _integer(params: Json, name: str, default: int | None = None, minimum: int | None = None) -> int | None:
    """An integer parameter (Stripe sends them as strings), or 400."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise StripeFailure(400, f"Invalid integer: {value}", param=name) from None
    if minimum is not None and number < minimum:
        raise StripeFailure(400, f"This value must be greater than or equal to {minimum}.", param=name)
    return number


def _boolean(params: Json, name: str, default: bool) -> bool:
    """A boolean parameter (`true`/`false`), or 400."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise StripeFailure(400, f"Invalid boolean: {value}", param=name)


def _text(params: Json, name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise StripeFailure(400, f"Invalid string: {value!r}", param=name)
    return value


def _metadata(value: Any, current: dict[str, str] | None = None) -> dict[str, str]:
    """Metadata merged into `current`; an empty value removes a key, as in Stripe."""
    result = dict(current or {})
    if value is None or value == "":
        return result if value is None else {}
    if not isinstance(value, dict) or any(not isinstance(v, str) for v in value.values()):
        raise StripeFailure(400, "Invalid metadata: must be a hash of strings", param="metadata")
    for key, text in value.items():
        if len(key) > 40 or len(text) > 500:
            raise StripeFailure(400, "Metadata keys are at most 40 and values 500 characters", param="metadata")
        if text == "":
            result.pop(key, None)
        else:
            result[key] = text
    if len(result) > 50:
        raise StripeFailure(400, "Metadata holds at most 50 keys", param="metadata")
    return result


def _reject_unknown(params: Json, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed:
            raise StripeFailure(400, f"Received unknown parameter: {name}", param=name)


def _listing(url: str, objects: list[Json], params: Json) -> Json:
    """A Stripe list (`limit`, `starting_after`) of objects already ordered newest first."""
    limit = _integer(params, "limit", default=10, minimum=1) or 10
    limit = min(limit, 100)
    after = params.get("starting_after")
    if after:
        ids = [obj["id"] for obj in objects]
        objects = objects[ids.index(after) + 1 :] if after in ids else []
    return {"object": "list", "url": url, "has_more": len(objects) > limit, "data": objects[:limit]}


def _tax_amount(amount: int, percentage: Decimal, inclusive: bool) -> int:
    """One line's tax at one rate, rounded half up to the cent."""
    if inclusive:
        exact = Decimal(amount) * percentage / (Decimal(100) + percentage)
    else:
        exact = Decimal(amount) * percentage / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------- the fake


Route = tuple[str, "re.Pattern[str]", Callable[..., "Response | None"]]


class StripeFake:
    """The HTTP server: invoices here, everything else from localstripe at `localstripe_url`.

    State (read it in tests, under `lock` if a request may be running):
    `invoices` id -> invoice JSON (lines included), `invoice_items` id -> item JSON,
    `sent` ids of invoices sent (in order), `idempotency` key -> (status, body),
    `requests` every request received.
    """

    INVOICE_PARAMS = {
        "customer",
        "collection_method",
        "days_until_due",
        "due_date",
        "currency",
        "auto_advance",
        "pending_invoice_items_behavior",
        "description",
        "metadata",
        "footer",
        "default_tax_rates",
        "custom_fields",
        "statement_descriptor",
        "rendering",
        "expand",
    }
    ITEM_PARAMS = {
        "customer",
        "invoice",
        "amount",
        "currency",
        "description",
        "metadata",
        "tax_rates",
        "quantity",
        "price_data",
        "period",
        "discountable",
        "tax_behavior",
        "tax_code",
        "expand",
    }

    def __init__(self, localstripe_url: str, host: str = "127.0.0.1", port: int = 0) -> None:
        upstream = urlsplit(localstripe_url)
        self.localstripe_url = localstripe_url.rstrip("/")
        self._upstream_host = upstream.hostname or "127.0.0.1"
        self._upstream_port = upstream.port or 80
        self.lock = threading.RLock()
        self.invoices: dict[str, Json] = {}
        self.invoice_items: dict[str, Json] = {}
        self.sent: list[str] = []
        self.idempotency: dict[str, tuple[int, bytes]] = {}
        self.requests: list[RecordedRequest] = []
        self._fingerprints: dict[str, str] = {}
        self._in_flight: set[str] = set()
        self._numbers: dict[str, int] = {}
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        invoice = r"/v1/invoices/(?P<invoice_id>[^/]+)"
        self._routes: list[Route] = [
            ("POST", re.compile(r"/v1/invoices"), self._create_invoice),
            ("GET", re.compile(r"/v1/invoices"), self._list_invoices),
            ("GET", re.compile(invoice), self._retrieve_invoice),
            ("POST", re.compile(invoice), self._update_invoice),
            ("DELETE", re.compile(invoice), self._delete_invoice),
            ("GET", re.compile(invoice + "/lines"), self._invoice_lines),
            (
                "POST",
                re.compile(invoice + r"/(?P<action>finalize|send|pay|void|mark_uncollectible)"),
                self._invoice_action,
            ),
            ("POST", re.compile(r"/v1/invoiceitems"), self._create_item),
            ("GET", re.compile(r"/v1/invoiceitems"), self._list_items),
            ("GET", re.compile(r"/v1/invoiceitems/(?P<item_id>[^/]+)"), self._retrieve_item),
            ("DELETE", re.compile(r"/v1/invoiceitems/(?P<item_id>[^/]+)"), self._delete_item),
            ("GET", re.compile(r"/hosted/(?P<invoice_id>[^/]+)(?P<pdf>/pdf)?"), self._hosted_page),
        ]

    # ---- lifecycle

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StripeFake:
        """Serve in a daemon thread (returns self)."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="stripe-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def reset(self) -> None:
        """Forget everything: localstripe's data (`DELETE /_config/data`) and the fake's own."""
        status, body, _ = self.upstream("DELETE", "/_config/data")
        if status != 200:
            raise RuntimeError(f"localstripe did not reset: {status} {body[:200]!r}")
        with self.lock:
            self.invoices.clear()
            self.invoice_items.clear()
            self.sent.clear()
            self.idempotency.clear()
            self.requests.clear()
            self._fingerprints.clear()
            self._numbers.clear()

    # ---- localstripe

    def upstream(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, str]:
        """One request to localstripe: (status, body, content type)."""
        connection = http.client.HTTPConnection(self._upstream_host, self._upstream_port, timeout=30)
        try:
            connection.request(method, target, body=body or None, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            connection.close()

    def _upstream_object(self, request: Request, target: str) -> tuple[int, Json]:
        """GET an object from localstripe with the caller's credentials: (status, JSON)."""
        headers = {"Authorization": request.headers.get("authorization", "")}
        status, body, _ = self.upstream("GET", target, headers=headers)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {}

    def _forward(self, request: Request) -> Response:
        """Pass a request through to localstripe; a non-JSON answer becomes a Stripe error."""
        passed = ("authorization", "content-type", "idempotency-key", "stripe-version", "stripe-account")
        headers = {name: value for name, value in request.headers.items() if name in passed}
        try:
            status, body, content_type = self.upstream(request.method, request.target, request.body, headers)
        except OSError as exc:
            return StripeFailure(502, f"localstripe unreachable: {exc}", kind="api_error").response()
        if "json" in content_type:
            return Response(status, body, content_type)
        if status == 404 or status == 405:
            message = f"Unrecognized request URL ({request.method}: {request.path}): neither localstripe nor the fake"
            return StripeFailure(404, message).response()
        message = body.decode("utf-8", "replace").strip() or f"localstripe answered {status}"
        return StripeFailure(status, message, kind="api_error" if status >= 500 else "invalid_request_error").response()

    # ---- dispatch

    def handle(self, request: Request) -> Response:
        """Answer one request: idempotent replay, one of ours, or localstripe's."""
        key = request.idempotency_key if request.method == "POST" else None
        if key is None:
            response = self._dispatch(request)
            self._record(request, None, replayed=False)
            return response
        fingerprint = hashlib.sha256(
            b"\0".join([request.method.encode(), request.target.encode(), request.body])
        ).hexdigest()
        with self.lock:
            if key in self.idempotency:
                self._record(request, key, replayed=True)
                if self._fingerprints[key] != fingerprint:
                    return StripeFailure(
                        400,
                        f"Keys for idempotent requests can only be used with the same "
                        f"parameters they were first used with. Key: {key}",
                        kind="idempotency_error",
                    ).response()
                status, body = self.idempotency[key]
                return Response(status, body, headers={"Idempotent-Replayed": "true"})
            if key in self._in_flight:
                return StripeFailure(
                    409,
                    f"There is currently another in-progress request using this Idempotent Key: {key}",
                    kind="idempotency_error",
                ).response()
            self._in_flight.add(key)
        try:
            response = self._dispatch(request)
        except BaseException:
            with self.lock:
                self._in_flight.discard(key)
            raise
        with self.lock:
            self._in_flight.discard(key)
            if response.status < 500:
                self.idempotency[key] = (response.status, response.body)
                self._fingerprints[key] = fingerprint
            self._record(request, key, replayed=False)
        return response

    def _record(self, request: Request, key: str | None, replayed: bool) -> None:
        with self.lock:
            self.requests.append(RecordedRequest(request.method, request.path, key, replayed))

    def _dispatch(self, request: Request) -> Response:
        try:
            for method, pattern, handler in self._routes:
                match = pattern.fullmatch(request.path)
                if method == request.method and match:
                    if not request.path.startswith("/hosted/"):
                        self._authenticate(request)
                    with self.lock:
                        response = handler(request, **match.groupdict())
                    if response is not None:
                        return response
                    break
            return self._forward(request)
        except StripeFailure as failure:
            return failure.response()
        except json.JSONDecodeError:
            return StripeFailure(400, "Invalid JSON body").response()

    @staticmethod
    def _authenticate(request: Request) -> None:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme not in ("Bearer", "Basic") or not credentials:
            raise StripeFailure(401, "You did not provide an API key. Use the Authorization header.")

    # ---- invoices

    def _own_invoice(self, invoice_id: str) -> Json:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            raise StripeFailure(404, f"No such invoice: '{invoice_id}'", param="id", code="resource_missing")
        return invoice

    def _create_invoice(self, request: Request) -> Response:
        params = request.params()
        _reject_unknown(params, self.INVOICE_PARAMS)
        customer_id = _text(params, "customer")
        if customer_id is None:
            raise StripeFailure(400, "Missing required param: customer.", param="customer")
        status, customer = self._upstream_object(request, f"/v1/customers/{quote(customer_id, safe='')}")
        if status == 404:
            raise StripeFailure(404, f"No such customer: '{customer_id}'", param="customer", code="resource_missing")
        if status != 200:
            raise StripeFailure(status, customer.get("error", {}).get("message", "customer lookup failed"))
        method = _text(params, "collection_method") or "charge_automatically"
        if method not in ("charge_automatically", "send_invoice"):
            raise StripeFailure(400, f"Invalid collection_method: {method}", param="collection_method")
        days = _integer(params, "days_until_due", minimum=0)
        due_date = _integer(params, "due_date", minimum=1)
        if method == "send_invoice" and days is None and due_date is None:
            raise StripeFailure(400, "Missing required param: days_until_due.", param="days_until_due")
        if method == "charge_automatically" and (days is not None or due_date is not None):
            raise StripeFailure(
                400,
                "Invoices with collection_method=charge_automatically cannot have a due date.",
                param="days_until_due",
            )
        behaviour = _text(params, "pending_invoice_items_behavior") or "exclude"
        if behaviour not in ("exclude", "include"):
            raise StripeFailure(
                400, f"Invalid pending_invoice_items_behavior: {behaviour}", param="pending_invoice_items_behavior"
            )
        default_rates = [
            self._tax_rate(request, rate_id, "default_tax_rates") for rate_id in params.get("default_tax_rates") or []
        ]
        now = int(time.time())
        invoice_id = new_id("in_")
        invoice: Json = {
            "id": invoice_id,
            "object": "invoice",
            "livemode": False,
            "created": now,
            "customer": customer_id,
            "customer_email": customer.get("email"),
            "customer_name": customer.get("name"),
            "currency": (_text(params, "currency") or "eur").lower(),
            "collection_method": method,
            "days_until_due": days,
            "due_date": due_date,
            "auto_advance": _boolean(params, "auto_advance", False),
            "description": _text(params, "description"),
            "footer": _text(params, "footer"),
            "metadata": _metadata(params.get("metadata")),
            "default_tax_rates": default_rates,
            "status": "draft",
            "number": None,
            "hosted_invoice_url": None,
            "invoice_pdf": None,
            "attempt_count": 0,
            "attempted": False,
            "paid_out_of_band": False,
            "effective_at": None,
            "period_start": now,
            "period_end": now,
            "webhooks_delivered_at": None,
            "status_transitions": {
                "finalized_at": None,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            "amount_paid": 0,
            "lines": {
                "object": "list",
                "url": f"/v1/invoices/{invoice_id}/lines",
                "has_more": False,
                "total_count": 0,
                "data": [],
            },
        }
        self._recompute(invoice)
        self.invoices[invoice_id] = invoice
        return Response.json(200, invoice)

    def _retrieve_invoice(self, request: Request, invoice_id: str) -> Response | None:
        invoice = self.invoices.get(invoice_id)
        return None if invoice is None else Response.json(200, invoice)

    def _list_invoices(self, request: Request) -> Response:
        params = request.params()
        found = [
            inv
            for inv in self.invoices.values()
            if all(params.get(name) in (None, "", inv[name]) for name in ("customer", "status", "collection_method"))
        ]
        found.reverse()  # newest first
        return Response.json(200, _listing("/v1/invoices", found, params))

    def _update_invoice(self, request: Request, invoice_id: str) -> Response | None:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return None
        params = request.params()
        _reject_unknown(
            params, {"metadata", "description", "footer", "auto_advance", "days_until_due", "due_date", "expand"}
        )
        draft_only = {"days_until_due", "due_date"} & set(params)
        if draft_only and invoice["status"] != "draft":
            name = sorted(draft_only)[0]
            raise StripeFailure(400, f"You can only update {name} on a draft invoice.", param=name)
        if "metadata" in params:
            invoice["metadata"] = _metadata(params["metadata"], invoice["metadata"])
        for name in ("description", "footer"):
            if name in params:
                invoice[name] = _text(params, name)
        if "auto_advance" in params:
            invoice["auto_advance"] = _boolean(params, "auto_advance", invoice["auto_advance"])
        for name in sorted(draft_only):
            invoice[name] = _integer(params, name, minimum=0)
        return Response.json(200, invoice)

    def _delete_invoice(self, request: Request, invoice_id: str) -> Response | None:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return None
        if invoice["status"] != "draft":
            raise StripeFailure(400, "You can only delete draft invoices.")
        del self.invoices[invoice_id]
        for item_id in [i for i, item in self.invoice_items.items() if item["invoice"] == invoice_id]:
            del self.invoice_items[item_id]
        return Response.json(200, {"id": invoice_id, "object": "invoice", "deleted": True})

    def _invoice_lines(self, request: Request, invoice_id: str) -> Response | None:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return None
        lines = invoice["lines"]["data"]
        return Response.json(200, _listing(invoice["lines"]["url"], list(lines), request.params()))

    def _invoice_action(self, request: Request, invoice_id: str, action: str) -> Response | None:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return None
        params = request.params()
        now = int(time.time())
        status = invoice["status"]
        if action == "finalize":
            _reject_unknown(params, {"auto_advance", "expand"})
            if status != "draft":
                raise StripeFailure(
                    400, "This invoice is already finalized, you can't re-finalize a non-draft invoice."
                )
            self._finalize(invoice, now)
        elif action == "send":
            _reject_unknown(params, {"expand"})
            if invoice["collection_method"] != "send_invoice":
                raise StripeFailure(
                    400, "You can only manually send an invoice if its collection method is 'send_invoice'."
                )
            if status in ("void", "uncollectible"):
                raise StripeFailure(400, f"You can't send an invoice whose status is '{status}'.")
            if status == "draft":
                self._finalize(invoice, now)
            self.sent.append(invoice_id)
        elif action == "pay":
            _reject_unknown(
                params, {"paid_out_of_band", "forgive", "payment_method", "source", "off_session", "mandate", "expand"}
            )
            if status != "open":
                raise StripeFailure(400, f"You can only pay an open invoice; this one is '{status}'.")
            invoice["paid_out_of_band"] = _boolean(params, "paid_out_of_band", False)
            self._mark_paid(invoice, now)
        elif action == "void":
            _reject_unknown(params, {"expand"})
            if status not in ("open", "uncollectible"):
                raise StripeFailure(400, f"You can only void an open or uncollectible invoice; this one is '{status}'.")
            invoice["status"] = "void"
            invoice["status_transitions"]["voided_at"] = now
            self._recompute(invoice)
        else:  # mark_uncollectible
            _reject_unknown(params, {"expand"})
            if status != "open":
                raise StripeFailure(400, f"You can only mark an open invoice uncollectible; this one is '{status}'.")
            invoice["status"] = "uncollectible"
            invoice["status_transitions"]["marked_uncollectible_at"] = now
        return Response.json(200, invoice)

    def _finalize(self, invoice: Json, now: int) -> None:
        """draft -> open: a number, a due date, a hosted page (paid at once when nothing is due)."""
        customer = invoice["customer"]
        self._numbers[customer] = self._numbers.get(customer, 0) + 1
        prefix = hashlib.sha1(customer.encode()).hexdigest()[:8].upper()
        invoice["number"] = f"{prefix}-{self._numbers[customer]:04d}"
        invoice["status"] = "open"
        invoice["effective_at"] = now
        invoice["status_transitions"]["finalized_at"] = now
        if invoice["collection_method"] == "send_invoice" and invoice["due_date"] is None:
            invoice["due_date"] = now + _DAY * int(invoice["days_until_due"] or 0)
        invoice["hosted_invoice_url"] = f"{self.url}/hosted/{invoice['id']}"
        invoice["invoice_pdf"] = f"{self.url}/hosted/{invoice['id']}/pdf"
        self._recompute(invoice)
        if invoice["amount_due"] == 0:
            self._mark_paid(invoice, now)

    def _mark_paid(self, invoice: Json, now: int) -> None:
        invoice["status"] = "paid"
        invoice["status_transitions"]["paid_at"] = now
        invoice["amount_paid"] = invoice["amount_due"]
        self._recompute(invoice)

    @staticmethod
    def _recompute(invoice: Json) -> None:
        """Totals from the lines: subtotal, tax (exclusive taxes are added), total, amounts due."""
        lines = invoice["lines"]["data"]
        invoice["lines"]["total_count"] = len(lines)
        subtotal = sum(line["amount"] for line in lines)
        per_rate: dict[tuple[str, str], Json] = {}
        for line in lines:
            for tax in line["taxes"]:
                key = (tax["tax_rate_details"]["tax_rate"], tax["tax_behavior"])
                entry = per_rate.setdefault(key, {**tax, "amount": 0, "taxable_amount": 0})
                entry["amount"] += tax["amount"]
                entry["taxable_amount"] += tax["taxable_amount"]
        exclusive = sum(t["amount"] for t in per_rate.values() if t["tax_behavior"] == "exclusive")
        inclusive = sum(t["amount"] for t in per_rate.values() if t["tax_behavior"] == "inclusive")
        total = subtotal + exclusive
        invoice.update(
            {
                "subtotal": subtotal,
                "subtotal_excluding_tax": subtotal - inclusive,
                "tax": exclusive + inclusive,
                "total": total,
                "total_excluding_tax": total - exclusive - inclusive,
                "total_taxes": list(per_rate.values()),
                "amount_due": total,
                "amount_remaining": 0 if invoice["status"] in ("paid", "void") else total - invoice["amount_paid"],
            }
        )

    # ---- invoice items

    def _tax_rate(self, request: Request, rate_id: Any, param: str) -> Json:
        """A tax rate from localstripe (404 if it has none by that id)."""
        if not isinstance(rate_id, str) or not rate_id:
            raise StripeFailure(400, f"Invalid {param}: a list of tax rate ids", param=param)
        status, rate = self._upstream_object(request, f"/v1/tax_rates/{quote(rate_id, safe='')}")
        if status != 200:
            raise StripeFailure(404, f"No such tax rate: '{rate_id}'", param=param, code="resource_missing")
        if not rate.get("active", True):
            raise StripeFailure(400, f"Tax rate {rate_id} is archived and cannot be applied.", param=param)
        return rate

    def _create_item(self, request: Request) -> Response | None:
        params = request.params()
        invoice_id = params.get("invoice")
        if not isinstance(invoice_id, str) or invoice_id not in self.invoices:
            return None  # a pending item, or one of localstripe's invoices: localstripe's business
        invoice = self.invoices[invoice_id]
        _reject_unknown(params, self.ITEM_PARAMS)
        customer_id = _text(params, "customer")
        if customer_id is None:
            raise StripeFailure(400, "Missing required param: customer.", param="customer")
        if customer_id != invoice["customer"]:
            raise StripeFailure(
                400,
                f"The invoice item's customer {customer_id} is not the customer of invoice {invoice_id}.",
                param="customer",
            )
        if invoice["status"] != "draft":
            raise StripeFailure(
                400, f"Invoice {invoice_id} is no longer editable: only draft invoices take new items.", param="invoice"
            )
        currency = (_text(params, "currency") or invoice["currency"]).lower()
        if currency != invoice["currency"]:
            raise StripeFailure(
                400,
                f"The item's currency {currency} differs from the invoice's {invoice['currency']}.",
                param="currency",
            )
        quantity = _integer(params, "quantity", default=1, minimum=1) or 1
        amount = _integer(params, "amount")
        if amount is None:
            price_data = params.get("price_data")
            if not isinstance(price_data, dict) or "unit_amount" not in price_data:
                raise StripeFailure(400, "Missing required param: amount.", param="amount")
            amount = (_integer(price_data, "unit_amount", minimum=0) or 0) * quantity
        elif "quantity" in params:
            raise StripeFailure(400, "quantity cannot be used with amount; use price_data instead.", param="quantity")
        rate_ids = params.get("tax_rates")
        if rate_ids in (None, ""):
            rates = invoice["default_tax_rates"]
        elif isinstance(rate_ids, list):
            rates = [self._tax_rate(request, rate_id, "tax_rates") for rate_id in rate_ids]
        else:
            raise StripeFailure(400, "Invalid array", param="tax_rates")
        now = int(time.time())
        item_id = new_id("ii_")
        metadata = _metadata(params.get("metadata"))
        description = _text(params, "description")
        item: Json = {
            "id": item_id,
            "object": "invoiceitem",
            "livemode": False,
            "date": now,
            "customer": customer_id,
            "invoice": invoice_id,
            "amount": amount,
            "currency": currency,
            "description": description,
            "metadata": metadata,
            "quantity": quantity,
            "discountable": _boolean(params, "discountable", True),
            "period": {"start": now, "end": now},
            "proration": False,
            "tax_rates": rates,
            "net_amount": amount,
        }
        taxes = []
        for rate in rates:
            inclusive = bool(rate.get("inclusive"))
            tax = _tax_amount(amount, Decimal(str(rate["percentage"])), inclusive)
            taxes.append(
                {
                    "type": "tax_rate_details",
                    "amount": tax,
                    "tax_rate_details": {"tax_rate": rate["id"]},
                    "tax_behavior": "inclusive" if inclusive else "exclusive",
                    "taxability_reason": "standard_rated",
                    "taxable_amount": amount - tax if inclusive else amount,
                }
            )
        line: Json = {
            "id": new_id("il_"),
            "object": "line_item",
            "livemode": False,
            "invoice": invoice_id,
            "amount": amount,
            "subtotal": amount,
            "currency": currency,
            "description": description,
            "metadata": dict(metadata),
            "quantity": quantity,
            "discountable": item["discountable"],
            "discounts": [],
            "period": item["period"],
            "taxes": taxes,
            "tax_amounts": [
                {
                    "amount": t["amount"],
                    "inclusive": t["tax_behavior"] == "inclusive",
                    "tax_rate": t["tax_rate_details"]["tax_rate"],
                    "taxable_amount": t["taxable_amount"],
                }
                for t in taxes
            ],
            "parent": {
                "type": "invoice_item_details",
                "subscription_item_details": None,
                "invoice_item_details": {"invoice_item": item_id, "proration": False, "subscription": None},
            },
        }
        self.invoice_items[item_id] = item
        invoice["lines"]["data"].append(line)
        self._recompute(invoice)
        return Response.json(200, item)

    def _list_items(self, request: Request) -> Response | None:
        params = request.params()
        invoice_id = params.get("invoice")
        if not isinstance(invoice_id, str) or invoice_id not in self.invoices:
            return None
        found = [item for item in self.invoice_items.values() if item["invoice"] == invoice_id]
        found.reverse()
        return Response.json(200, _listing("/v1/invoiceitems", found, params))

    def _retrieve_item(self, request: Request, item_id: str) -> Response | None:
        item = self.invoice_items.get(item_id)
        return None if item is None else Response.json(200, item)

    def _delete_item(self, request: Request, item_id: str) -> Response | None:
        item = self.invoice_items.get(item_id)
        if item is None:
            return None
        invoice = self.invoices[item["invoice"]]
        if invoice["status"] != "draft":
            raise StripeFailure(400, "You can only delete items of draft invoices.")
        del self.invoice_items[item_id]
        invoice["lines"]["data"] = [
            line
            for line in invoice["lines"]["data"]
            if line["parent"]["invoice_item_details"]["invoice_item"] != item_id
        ]
        self._recompute(invoice)
        return Response.json(200, {"id": item_id, "object": "invoiceitem", "deleted": True})

    # ---- the hosted invoice page (so `hosted_invoice_url` points nowhere outside)

    def _hosted_page(self, request: Request, invoice_id: str, pdf: str | None) -> Response:
        invoice = self._own_invoice(invoice_id)
        text = (
            f"<!doctype html><title>Invoice {invoice['number']}</title>"
            f"<h1>Invoice {invoice['number']}</h1><p>Status: {invoice['status']}</p>"
            f"<p>Total: {invoice['total'] / 100:.2f} {invoice['currency'].upper()}</p>"
        )
        return Response(200, text.encode(), "text/html; charset=utf-8")


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP into `StripeFake.handle` calls."""

    protocol_version = "HTTP/1.1"
    server_version = "stripe-fake"

    def _serve(self) -> None:
        fake: StripeFake = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        response = fake.handle(Request(self.command, target.path, target.query, body, headers))
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Request-Id", new_id("req_"))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: `StripeFake.requests` records what came in."""


# --------------------------------------------------------------------------- webhooks


def signed_event(event: Json, secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
    """A webhook delivery: the raw body and its `Stripe-Signature` header, signed like Stripe does."""
    payload = json.dumps(event, indent=2).encode()
    signed_at = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{signed_at}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={signed_at},v1={digest}"


def invoice_event(
    type: str,
    invoice_dict: Json,
    event_id: str | None = None,
    created: int | None = None,
) -> Json:
    """An event envelope around an object (an invoice, or a charge for `charge.*` events)."""
    return {
        "id": event_id or new_id("evt_"),
        "object": "event",
        "type": type,
        "created": int(time.time()) if created is None else created,
        "data": {"object": invoice_dict},
        "livemode": False,
        "api_version": stripe.api_version,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
    }
