"""Queries of the public decision register. Only decisions whose minutes are
approved are ever returned; confidential text and hidden personal data are
left to the caller to withhold (see `public_view`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.clock import helsinki_today
from app.extensions import db
from app.params import FIRST_YEAR, LAST_YEAR, BadQuery, query_year
from governance.steering.models import Body, Case, Decision, DecisionKind, Level, Resolution

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Filters:
    body: str | None = None
    level: str | None = None
    year: int | None = None
    resolution: str | None = None
    kind: str | None = None
    case: str | None = None
    q: str | None = None

    def as_args(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class Parsed:
    filters: Filters
    errors: dict[str, str] = field(default_factory=dict)


def parse_filters(args, *, spaces: bool = True) -> Parsed:
    """Read filters from query arguments; unknown values are reported by parameter name. `spaces`: a year
    typed into the register's form may have spaces around it (the API, as described, takes none)."""
    parsed = Parsed(Filters())
    f, errors = parsed.filters, parsed.errors
    body = (args.get("body") or "").strip()
    if body:
        if db.session.scalar(sa.select(Body.id).where(Body.code == body)) is None:
            errors["body"] = "unknown body code"
        else:
            f.body = body
    for name, allowed in (("level", Level), ("resolution", Resolution), ("kind", DecisionKind)):
        value = (args.get(name) or "").strip()
        if value:
            if value not in {v.value for v in allowed}:
                errors[name] = f"unknown {name}; one of: {', '.join(v.value for v in allowed)}"
            else:
                setattr(f, name, value)
    try:
        f.year = query_year(
            "year", args=args, spaces=spaces, message=f"a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2026"
        )
    except BadQuery as error:
        errors["year"] = error.message
    case = (args.get("case") or "").strip()
    if case:
        if not re.fullmatch(r"DIGI-\d{4}-\d{6}", case):
            errors["case"] = "a record number such as DIGI-2026-000123"
        else:
            f.case = case
    q = (args.get("q") or "").strip()
    if q:
        if len(q) > 200:
            errors["q"] = "at most 200 characters"
        elif _WORD.search(q):
            f.q = q
    return parsed


def _words(q: str) -> list[str]:
    return _WORD.findall(q)[:20]


def _search(q: str, today: date) -> sa.ColumnElement[bool]:
    """Decisions whose public words match every word of `q` (as prefixes): the words the register
    shows. Titles are always public; the text of a confidential case never is; once a decision's
    personal data is hidden, its redacted text is searched instead of the text. The full-text index
    holds all three, so it narrows the rows first; the public part then decides."""
    words = _words(q)
    if not words:
        return sa.false()
    public_case = Decision.case_id.in_(sa.select(Case.id).where(Case.confidential.is_(False)))
    hidden = sa.and_(Decision.personal_data_hidden_from.is_not(None), Decision.personal_data_hidden_from <= today)
    if db.session.get_bind().dialect.name == "postgresql":
        finnish = sa.literal_column("'finnish'")
        # Every word as a prefix of its Finnish stem, all required: the stemmer does not always
        # reduce a word and its inflections alike ("strategia" -> strateg, "strategian" ->
        # strategia), and a prefix of the shorter stem matches both, on the same GIN index.
        query = None
        for word in words:
            term = sa.func.to_tsquery(finnish, f"{word}:*")
            query = term if query is None else query.op("&&")(term)

        def vector(*columns) -> sa.ColumnElement:
            text = sa.func.coalesce(columns[0], "")
            for column in columns[1:]:
                text = text + " " + sa.func.coalesce(column, "")
            return sa.func.to_tsvector(finnish, text)

        # The GIN index's expression: every word of the decision, public or not, to narrow the rows.
        indexed = vector(Decision.title, Decision.text, Decision.redacted_text).op("@@")(query)
        return sa.and_(
            indexed,
            sa.or_(
                sa.and_(public_case, sa.not_(hidden)),
                sa.and_(public_case, hidden, vector(Decision.title, Decision.redacted_text).op("@@")(query)),
                vector(Decision.title).op("@@")(query),
            ),
        )
    # FTS5: each word as a quoted prefix, all required; user input never reaches the query syntax.
    phrase = " ".join(f'"{word}"*' for word in words)

    def matching(columns: str) -> sa.ColumnElement[bool]:
        ids = (
            sa.select(sa.literal_column("rowid"))
            .select_from(sa.table("decisions_fts"))
            .where(sa.literal_column("decisions_fts").op("MATCH")(f"{{{columns}}} : ({phrase})"))
        )
        return Decision.id.in_(ids)

    return sa.or_(
        sa.and_(public_case, sa.not_(hidden), matching("title text")),
        sa.and_(public_case, hidden, matching("title redacted_text")),
        matching("title"),
    )


def register_query(filters: Filters, today: date | None = None) -> sa.Select:
    stmt = (
        sa.select(Decision)
        .where(Decision.effective_at.is_not(None))
        .options(joinedload(Decision.body), joinedload(Decision.case), joinedload(Decision.referred_to))
    )
    if filters.body:
        stmt = stmt.where(Decision.body_id == sa.select(Body.id).where(Body.code == filters.body).scalar_subquery())
    if filters.level:
        stmt = stmt.where(Decision.body_id.in_(sa.select(Body.id).where(Body.level == filters.level)))
    if filters.year:
        stmt = stmt.where(
            Decision.decided_on >= date(filters.year, 1, 1), Decision.decided_on <= date(filters.year, 12, 31)
        )
    if filters.resolution:
        stmt = stmt.where(Decision.resolution == filters.resolution)
    if filters.kind:
        stmt = stmt.where(Decision.kind == filters.kind)
    if filters.case:
        stmt = stmt.where(Decision.case_id.in_(sa.select(Case.id).where(Case.record_number == filters.case)))
    if filters.q:
        stmt = stmt.where(_search(filters.q, today or helsinki_today()))
    return stmt.order_by(Decision.decided_on.desc(), Decision.id.desc())


def decision_by_slug(slug: str) -> Decision | None:
    return db.session.scalar(sa.select(Decision).where(Decision.slug == slug, Decision.effective_at.is_not(None)))


def case_decisions(record: str) -> tuple[Case | None, list[Decision]]:
    case = db.session.scalar(sa.select(Case).where(Case.record_number == record))
    if case is None:
        return None, []
    stmt = (
        sa.select(Decision)
        .where(Decision.case_id == case.id, Decision.effective_at.is_not(None))
        .options(joinedload(Decision.body))
        .order_by(Decision.decided_on, Decision.id)
    )
    return case, list(db.session.scalars(stmt))


def public_view(decision: Decision, today: date) -> dict[str, Any]:
    """What the public may see of a decision: no text when the case is confidential,
    the redacted text once personal data must be hidden."""
    confidential = decision.case.confidential
    return {
        "reference": decision.reference,
        "slug": decision.slug,
        "title": decision.title,
        "body": decision.body.code,
        "level": decision.body.level,
        "kind": decision.kind,
        "resolution": decision.resolution,
        "decided_on": decision.decided_on.isoformat(),
        "effective_at": decision.effective_at.isoformat() if decision.effective_at else None,
        "case": decision.case.record_number,
        "confidential": confidential,
        "legal_basis": decision.case.legal_basis if confidential else None,
        "text": None if confidential else decision.public_text(today),
        "referred_to": decision.referred_to.code if decision.referred_to else None,
    }
