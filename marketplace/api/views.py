"""Open data API: services, providers, rules, bodies, meetings, decisions and cases.

Lists are paginated with `limit` and an opaque `cursor`; answers carry an ETag
and Last-Modified and answer 304 to a matching conditional request; GET is
allowed from any origin. Bad parameters answer 400 with the parameter named.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_babel import force_locale
from sqlalchemy.orm import joinedload, selectinload

from app.clock import helsinki_today
from app.extensions import csrf, db
from app.models import Organisation, OrgKind, OrgStatus
from app.params import FIRST_YEAR, LAST_YEAR, BadQuery, parse_int, query_int, query_year
from app.security import MAX_ID
from app.urls import external_url, public_base_url
from governance.register import services as register
from governance.rules.models import RulesAcceptance, RulesStatus, RulesVersion
from governance.steering.models import AgendaItem, Body, Case, Decision, Level, Meeting, MeetingStatus, Membership
from marketplace.api.openapi import CURSOR_MAX_LENGTH, CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT, spec
from marketplace.catalogue import search as catalogue_search
from marketplace.catalogue.models import CatalogueEntry, ServiceRevision
from marketplace.catalogue.services import gross_cents

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)
_CURSOR = re.compile(CURSOR_PATTERN)
BAD_CURSOR = "use the next_cursor of an earlier answer"


class BadParameter(BadQuery):
    """A parameter the API does not accept, with an English message (the API's language)."""


@bp.errorhandler(BadQuery)
def _bad_parameter(error: BadQuery):
    return jsonify(error=400, parameter=error.parameter, message=error.message), 400


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


def _limit() -> int:
    return query_int(
        "limit",
        DEFAULT_LIMIT,
        minimum=1,
        maximum=MAX_LIMIT,
        empty=False,
        message=f"a whole number from 1 to {MAX_LIMIT}",
    )


def decode_cursor(raw: str | None) -> int | None:
    """The id a `cursor` stands for, or None for the first page (no cursor, or an empty one).

    A cursor is valid only as `encode_cursor` writes it: unpadded base64url of the decimal digits of
    an id from 1 to MAX_ID. Anything else (other text, padding, a JSON true or string or list, a number
    past what an id column holds) is an invalid cursor, a 400."""
    if raw is None or raw == "":
        return None
    if len(raw) <= CURSOR_MAX_LENGTH and _CURSOR.fullmatch(raw):
        try:
            digits = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            digits = None
        value = parse_int(digits, 1, MAX_ID) if digits is not None else None
        if value is not None and encode_cursor(value) == raw:
            return value
    raise BadParameter("cursor", BAD_CURSOR)


def encode_cursor(value: int) -> str:
    return base64.urlsafe_b64encode(str(value).encode("ascii")).decode("ascii").rstrip("=")


def _choice(name: str, allowed: set[str]) -> str | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value not in allowed:
        raise BadParameter(name, f"one of: {', '.join(sorted(allowed))}")
    return value


def _conditional(payload: dict[str, Any], last_modified: datetime | None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    if last_modified is not None:
        response.headers["Last-Modified"] = format_datetime(last_modified.replace(microsecond=0), usegmt=True)
    if request.if_none_match and etag in request.if_none_match:
        return _not_modified(response)
    since = request.headers.get("If-Modified-Since")
    if since and last_modified is not None and not request.if_none_match:
        try:
            if last_modified.replace(microsecond=0) <= parsedate_to_datetime(since):
                return _not_modified(response)
        except (TypeError, ValueError):
            pass
    return response


def _not_modified(response: Response) -> Response:
    response.status_code = 304
    response.set_data(b"")
    return response


def _page(
    stmt: sa.Select,
    id_column,
    serialise: Callable[[Any], dict],
    stamp: Callable[[Any], datetime | None],
    prepare: Callable[[list], Any] | None = None,
):
    limit, cursor = _limit(), decode_cursor(request.args.get("cursor"))
    if cursor is not None:
        stmt = stmt.where(id_column < cursor)
    rows = list(db.session.scalars(stmt.order_by(id_column.desc()).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    if prepare is not None:
        prepare(rows)
    last = getattr(rows[-1], id_column.key) if rows else None
    payload = {"items": [serialise(r) for r in rows], "next_cursor": encode_cursor(last) if more and rows else None}
    stamps = [s for s in (stamp(r) for r in rows) if s is not None]
    return _conditional(payload, max(stamps) if stamps else None)


# --- providers --------------------------------------------------------------------------------------


def _latest_labels(org_ids: list[int]) -> dict[int, str]:
    """The label of the newest rules version each organisation accepted, in one query."""
    if not org_ids:
        return {}
    rows = db.session.execute(
        sa.select(RulesAcceptance.organisation_id, RulesVersion.label)
        .join(RulesVersion, RulesAcceptance.version_id == RulesVersion.id)
        .where(RulesAcceptance.organisation_id.in_(org_ids))
        .order_by(RulesAcceptance.organisation_id, RulesAcceptance.accepted_at)
    )
    return {org_id: label for org_id, label in rows}  # the newest wins


@bp.get("/v1/providers")
def providers():
    stmt = sa.select(Organisation).where(
        Organisation.kind == OrgKind.PROVIDER.value, Organisation.status == OrgStatus.ACTIVE.value
    )
    labels: dict[int, str] = {}

    def serialise(org: Organisation) -> dict[str, Any]:
        return {"id": org.id, "name": org.name, "business_id": org.business_id, "rules_accepted": labels.get(org.id)}

    return _page(
        stmt,
        Organisation.id,
        serialise,
        lambda o: o.updated_at,
        prepare=lambda rows: labels.update(_latest_labels([r.id for r in rows])),
    )


# --- rules -----------------------------------------------------------------------------------------------


def _rules(version: RulesVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "label": version.label,
        "title": version.title,
        "status": version.status,
        "sha256": version.body_sha256,
        "effective_date": _iso(version.effective_date),
        "reacceptance_deadline": _iso(version.reacceptance_deadline),
        "adopted_by": version.adoption_decision_ref,
        "text": version.body if version.status == RulesStatus.IN_FORCE else None,
    }


@bp.get("/v1/rules")
def rules():
    status = _choice("status", {s.value for s in RulesStatus if s != RulesStatus.DRAFT})
    stmt = sa.select(RulesVersion).where(RulesVersion.status != RulesStatus.DRAFT.value)
    if status:
        stmt = stmt.where(RulesVersion.status == status)
    return _page(stmt, RulesVersion.id, _rules, lambda v: v.updated_at)


# --- bodies, meetings, decisions, cases -------------------------------------------------------------------------


def _body(body: Body) -> dict[str, Any]:
    today = helsinki_today()
    return {
        "id": body.id,
        "code": body.code,
        "name": body.name,
        "level": body.level,
        "parent": body.parent.code if body.parent else None,
        "mandate": list(body.mandate or []),
        "members": [
            {
                "name": m.user.name,
                "role": m.role,
                "voting": m.is_voting_seat,
                "organisation": m.organisation.name if m.organisation else None,
                "deputy_of": m.deputy_of.user.name if m.deputy_of else None,
                "term_start": m.term_start.isoformat(),
                "term_end": _iso(m.term_end),
            }
            for m in body.memberships
            if m.active_on(today)
        ],
    }


@bp.get("/v1/bodies")
def bodies():
    level = _choice("level", {v.value for v in Level})
    stmt = sa.select(Body).options(
        joinedload(Body.parent),
        selectinload(Body.memberships).options(
            joinedload(Membership.user),
            joinedload(Membership.organisation),
            joinedload(Membership.deputy_of).joinedload(Membership.user),
        ),
    )
    if level:
        stmt = stmt.where(Body.level == level)
    return _page(stmt, Body.id, _body, lambda b: b.created_at)


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "reference": meeting.reference,
        "body": meeting.body.code,
        "number": meeting.number,
        "year": meeting.year,
        "starts_at": meeting.starts_at.isoformat(),
        "place": meeting.place,
        "status": meeting.status,
        "agenda": [{"section": i.section, "title": i.case.title, "case": i.case.record_number} for i in meeting.items],
    }


@bp.get("/v1/meetings")
def meetings():
    body = request.args.get("body")
    status = _choice("status", {s.value for s in MeetingStatus if s != MeetingStatus.PLANNED})
    year = query_year("year", message=f"a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2026")
    stmt = (
        sa.select(Meeting)
        .where(Meeting.status != MeetingStatus.PLANNED.value)
        .options(joinedload(Meeting.body), selectinload(Meeting.items).joinedload(AgendaItem.case))
    )
    if body:
        body_id = db.session.scalar(sa.select(Body.id).where(Body.code == body))
        if body_id is None:
            raise BadParameter("body", "unknown body code")
        stmt = stmt.where(Meeting.body_id == body_id)
    if status:
        stmt = stmt.where(Meeting.status == status)
    if year is not None:
        stmt = stmt.where(Meeting.year == year)
    return _page(stmt, Meeting.id, _meeting, lambda m: m.agenda_published_at)


@bp.get("/v1/decisions")
def decisions():
    parsed = register.parse_filters(request.args, spaces=False)
    if parsed.errors:
        name, message = next(iter(parsed.errors.items()))
        raise BadParameter(name, message)
    today = helsinki_today()
    stmt = register.register_query(parsed.filters).order_by(None)
    return _page(stmt, Decision.id, lambda d: register.public_view(d, today), lambda d: d.effective_at)


def _case(case: Case) -> dict[str, Any]:
    decided = [d for d in _effective_decisions(case)]
    return {
        "id": case.id,
        "record_number": case.record_number,
        "title": case.title,
        "confidential": case.confidential,
        "legal_basis": case.legal_basis if case.confidential else None,
        "decisions": [d.reference for d in decided],
    }


def _effective_decisions(case: Case) -> list[Decision]:
    return [i.decision for i in case.items if i.decision is not None and i.decision.effective_at is not None]


@bp.get("/v1/cases")
def cases():
    with_decisions = sa.select(Decision.case_id).where(Decision.effective_at.is_not(None))
    stmt = (
        sa.select(Case)
        .where(Case.id.in_(with_decisions))
        .options(selectinload(Case.items).joinedload(AgendaItem.decision))
    )
    return _page(stmt, Case.id, _case, lambda c: c.created_at)


# --- description ---------------------------------------------------------------------------------------------------

# --- services (the published catalogue) --------------------------------------------------------------


def _service(entry: CatalogueEntry, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "slug": entry.slug,
        "name": data["name"],
        "summary": data["summary"],
        "summary_sv": data.get("summary_sv") or None,
        "summary_en": data.get("summary_en") or None,
        "description": data.get("description", ""),
        "url": external_url("catalogue.show", slug=entry.slug),
        "provider": {"id": entry.organisation_id, "name": entry.provider_name},
        "category": data["category"],
        "levels": data["levels"],
        "roles": data["roles"],
        "subjects": data["subjects"],
        "languages": data["languages"],
        "standards": data["standards"],
        "accessibility": data["accessibility"],
        "accessibility_statement_url": data.get("accessibility_statement_url") or None,
        "hosting": data["hosting"],
        "personal_data": data["personal_data"],
        "support_url": data.get("support_url") or None,
        "privacy_url": data.get("privacy_url") or None,
        "plans": [
            {
                "name": p["name"],
                "model": p["model"],
                "unit_price_cents": p["unit_price_cents"],
                "vat_rate_percent": p["vat_rate_bp"] / 100,
                "unit_price_with_vat_cents": gross_cents(p["unit_price_cents"], p["vat_rate_bp"]),
                "min_quantity": p["min_quantity"],
                "notes": p["notes"],
            }
            for p in data["plans"]
        ],
        "version": entry.revision_number,
        "published_at": _iso(entry.published_at),
    }


@bp.get("/v1/services")
def services():
    for name in ("sort", "page", "per_page"):
        if name in request.args:
            raise BadParameter(name, "not used by the API; page with limit and cursor")
    with force_locale("en"):
        query, errors = catalogue_search.parse(request.args, spaces=False)
    if errors:
        name, message = next(iter(errors.items()))
        raise BadParameter(name, message)
    stmt = sa.select(CatalogueEntry).where(*catalogue_search.conditions(query, catalogue_search.visible_providers()))
    snapshots: dict[int, dict[str, Any]] = {}

    def prepare(rows: list[CatalogueEntry]) -> None:
        if rows:
            revisions = db.session.scalars(
                sa.select(ServiceRevision).where(
                    sa.tuple_(ServiceRevision.service_id, ServiceRevision.number).in_(
                        [(e.service_id, e.revision_number) for e in rows]
                    )
                )
            )
            snapshots.update((r.service_id, r.snapshot) for r in revisions)

    return _page(
        stmt,
        CatalogueEntry.service_id,
        lambda e: _service(e, snapshots[e.service_id]),
        lambda e: e.published_at,
        prepare=prepare,
    )


@bp.get("/v1/openapi.json")
def openapi():
    return jsonify(spec(public_base_url()))


@bp.get("/docs")
def docs():
    return render_template("api/docs.html", spec=spec(public_base_url()))


@bp.route("/v1/<path:anything>", methods=["OPTIONS"])
def preflight(anything: str):
    return Response(status=204)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@bp.get("/v1/<path:anything>")
def unknown(anything: str):
    abort(404)
