"""Realistic benchmark data, inserted in bulk: municipalities, providers, published
listings with plans, revisions, catalogue entries and facet tags, and decisions of
the register with their bodies, meetings, agenda items and cases.

The listings go through the same derivations as a real publication
(`services.tags_for`, the search text, the cheapest plan, the order key), only in
bulk instead of one transaction per listing. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
import sqlalchemy as sa

from app.extensions import db, utcnow
from app.models import Organisation, User
from app.validators import business_id_check_digit
from governance.steering.models import AgendaItem, Body, Case, Decision, Meeting, decision_slug
from marketplace.catalogue import services
from marketplace.catalogue.models import (
    CatalogueEntry,
    CatalogueState,
    CatalogueTag,
    PricingPlan,
    Service,
    ServiceRevision,
)
from marketplace.catalogue.vocab import (
    ACCESSIBILITY,
    CATEGORIES,
    HOSTING,
    LEVELS,
    ROLES,
    STANDARDS,
    SUBJECTS,
)

CHUNK = 5000

#: Words names and texts are made of; the benchmark draws its keywords from them.
TOPICS = [
    "matematiikka",
    "geometria",
    "algebra",
    "lukutaito",
    "kirjoittaminen",
    "ruotsi",
    "englanti",
    "historia",
    "biologia",
    "kemia",
    "fysiikka",
    "ohjelmointi",
    "musiikki",
    "kuvataide",
    "liikunta",
    "hyvinvointi",
    "arviointi",
    "koe",
    "tehtäväpankki",
    "oppimisalusta",
    "viestintä",
    "huoltaja",
    "poissaolot",
    "lukujärjestys",
    "tietojohtaminen",
    "raportointi",
    "kysely",
    "palaute",
    "portfolio",
    "videot",
    "pelillisyys",
    "eriyttäminen",
    "tukiopetus",
    "kielikylpy",
    "saamen kieli",
    "ympäristöoppi",
    "yhteiskuntaoppi",
    "terveystieto",
    "kotitalous",
    "käsityö",
    "opinto-ohjaus",
    "lukiodiplomi",
    "ylioppilaskoe",
    "esiopetus",
    "kerhotoiminta",
    "kirjasto",
    "tekoäly",
    "robotiikka",
    "medialukutaito",
    "tunnetaidot",
]
NAME_PARTS = [
    "Polku",
    "Paja",
    "Mestari",
    "Tori",
    "Kompassi",
    "Silta",
    "Verstas",
    "Tutka",
    "Laboratorio",
    "Kirja",
    "Studio",
    "Pulssi",
    "Sampo",
    "Tasku",
    "Kartta",
]
MODELS = ["per_pupil_year", "per_school_year", "per_municipality_year", "per_user_month", "one_off", "free"]
PRICE_RANGES = {
    "per_pupil_year": (200, 1500),
    "per_school_year": (30000, 300000),
    "per_municipality_year": (200000, 2500000),
    "per_user_month": (300, 2000),
    "one_off": (50000, 1500000),
    "free": (0, 0),
}


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(table, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(sa.insert(table), rows)


def business_ids(start: int) -> Iterator[str]:
    n = start
    while True:
        digits = f"{n:07d}"
        check = business_id_check_digit(digits)
        if check is not None:
            yield f"{digits}-{check}"
        n += 1


def _sample(rng: random.Random, values: list[str], low: int, high: int) -> list[str]:
    return sorted(rng.sample(values, rng.randint(low, min(high, len(values)))), key=values.index)


def listing_data(rng: random.Random, n: int) -> dict[str, Any]:
    topic, other = rng.sample(TOPICS, 2)
    category = rng.choice(list(CATEGORIES))
    subjects = [] if category in ("administration", "knowledge_management") else _sample(rng, list(SUBJECTS), 1, 3)
    plans = []
    for position, model in enumerate(rng.sample(MODELS, rng.randint(1, 3)), start=1):
        low, high = PRICE_RANGES[model]
        plans.append(
            {
                "id": None,
                "name": f"Hinnoittelu {position}",
                "model": model,
                "unit_price_cents": rng.randint(low, high) if high else 0,
                "vat_rate_bp": 2550,
                "min_quantity": rng.choice([1, 1, 10, 50]),
                "notes": "",
            }
        )
    personal = rng.random() < 0.8
    accessibility = rng.choices(list(ACCESSIBILITY), weights=[6, 3, 1])[0]
    return {
        "name": f"{topic.capitalize()}{rng.choice(NAME_PARTS).lower()} {n}",
        "summary": f"{topic.capitalize()} ja {other} digitaalisesti: harjoituksia, palaute ja raportit.",
        "summary_sv": "Digitalt läromedel." if rng.random() < 0.5 else "",
        "summary_en": "A digital learning service." if rng.random() < 0.5 else "",
        "description": f"Palvelu tukee aihetta {topic}.\n\n- {other}\n- opettajan näkymä\n- MPASSid-kirjautuminen",
        "category": category,
        "levels": _sample(rng, list(LEVELS), 1, 2),
        "roles": _sample(rng, list(ROLES), 1, 3),
        "subjects": subjects,
        "languages": ["fi"]
        + (["sv"] if rng.random() < 0.3 else [])
        + (["en"] if rng.random() < 0.2 else [])
        + (["se"] if rng.random() < 0.02 else []),
        "standards": _sample(rng, list(STANDARDS), 0, 3),
        "accessibility": accessibility,
        "accessibility_statement_url": "" if accessibility == "none" else "https://palvelu.example.fi/saavutettavuus",
        "hosting": rng.choices(list(HOSTING), weights=[6, 3, 1])[0],
        "personal_data": personal,
        "support_url": "https://palvelu.example.fi/tuki",
        "privacy_url": "https://palvelu.example.fi/tietosuoja" if personal else "",
        "plans": plans,
    }


def generate(listings: int, providers: int, municipalities: int, decisions: int, seed: int = 2026) -> None:
    """Fill an empty, migrated database. Commits in chunks."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    ids = business_ids(3_000_000)

    click.echo(f"organisations: {municipalities} municipalities, {providers} providers")
    coordinator_org = {
        "kind": "coordinator",
        "name": "Koordinaatio (bench)",
        "business_id": next(ids),
        "status": "active",
    }
    _insert(Organisation.__table__, [coordinator_org])
    codes = rng.sample(range(100, 1000), municipalities)
    _insert(
        Organisation.__table__,
        [
            {
                "kind": "municipality",
                "name": f"Kunta {code:03d}",
                "business_id": None,
                "municipality_code": f"{code:03d}",
                "status": "active",
            }
            for code in codes
        ],
    )
    provider_rows = [
        {
            "kind": "provider",
            "name": f"Palveluntarjoaja {i} Oy",
            "business_id": next(ids),
            "status": "suspended" if rng.random() < 0.02 else "active",
        }
        for i in range(providers)
    ]
    _insert(Organisation.__table__, provider_rows)
    provider_ids = list(
        db.session.scalars(sa.select(Organisation.id).where(Organisation.kind == "provider").order_by(Organisation.id))
    )
    names = dict(
        db.session.execute(sa.select(Organisation.id, Organisation.name).where(Organisation.kind == "provider")).all()
    )
    coordinator_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.kind == "coordinator"))
    _insert(
        User.__table__,
        [
            {
                "email": "bench@example.com",
                "name": "Bench",
                "password_hash": "!",
                "organisation_id": coordinator_id,
                "org_role": "admin",
                "locale": "fi",
                "email_confirmed_at": utcnow(),
            }
        ],
    )
    user_id = db.session.scalar(sa.select(User.id).where(User.email == "bench@example.com"))
    db.session.commit()

    start_id = (db.session.scalar(sa.select(sa.func.max(Service.id))) or 0) + 1
    with click.progressbar(length=listings, label="listings") as bar:
        for first in range(0, listings, CHUNK):
            service_rows, revision_rows, plan_rows, entry_rows, tag_rows = [], [], [], [], []
            for n in range(first, min(first + CHUNK, listings)):
                service_id = start_id + n
                data = listing_data(rng, n)
                org_id = rng.choice(provider_ids)
                published_at = now - timedelta(minutes=rng.randint(0, 60 * 24 * 700))
                slug = f"{services.slugify(data['name'])}"
                for position, plan in enumerate(data["plans"], start=1):
                    plan["id"] = service_id * 10 + position
                    plan_rows.append(
                        {
                            "id": plan["id"],
                            "service_id": service_id,
                            "position": position,
                            **{
                                k: plan[k]
                                for k in ("name", "model", "unit_price_cents", "vat_rate_bp", "min_quantity", "notes")
                            },
                        }
                    )
                content = {k: v for k, v in data.items() if k != "plans"}
                service_rows.append(
                    {
                        "id": service_id,
                        "organisation_id": org_id,
                        "slug": slug,
                        "status": "published",
                        "published_version": 1,
                        "created_by_id": user_id,
                        "created_at": published_at,
                        "updated_at": published_at,
                        **content,
                    }
                )
                snapshot = {**content, "plans": data["plans"], "screenshots": []}
                revision_rows.append(
                    {
                        "service_id": service_id,
                        "number": 1,
                        "snapshot": snapshot,
                        "published_by_id": user_id,
                        "published_at": published_at,
                    }
                )
                cheapest = min(data["plans"], key=lambda p: (p["unit_price_cents"], p["id"]))
                entry_rows.append(
                    {
                        "service_id": service_id,
                        "organisation_id": org_id,
                        "slug": slug,
                        "name": data["name"],
                        "sort_name": data["name"].casefold(),
                        "summary": data["summary"],
                        "summary_sv": data["summary_sv"],
                        "summary_en": data["summary_en"],
                        "provider_name": names[org_id],
                        "category": data["category"],
                        "levels": data["levels"],
                        "standards": data["standards"],
                        "languages": data["languages"],
                        "accessibility": data["accessibility"],
                        "hosting": data["hosting"],
                        "min_price_cents": cheapest["unit_price_cents"],
                        "min_price_model": cheapest["model"],
                        "min_price_vat_bp": cheapest["vat_rate_bp"],
                        "order_key": services.order_key(service_id),
                        "published_at": published_at,
                        "revision_number": 1,
                        "search_text": services._search_text(snapshot, names[org_id]),
                    }
                )
                tag_rows += [{"facet": f, "value": v, "service_id": service_id} for f, v in services.tags_for(snapshot)]
            _insert(Service.__table__, service_rows)
            _insert(ServiceRevision.__table__, revision_rows)
            _insert(PricingPlan.__table__, plan_rows)
            _insert(CatalogueEntry.__table__, entry_rows)
            _insert(CatalogueTag.__table__, tag_rows)
            db.session.commit()
            bar.update(len(service_rows))
    db.session.execute(sa.delete(CatalogueState))
    _insert(CatalogueState.__table__, [{"id": 1, "token": uuid.uuid4().hex, "changed_at": now}])
    db.session.commit()

    _generate_decisions(rng, decisions, user_id)


def _generate_decisions(rng: random.Random, count: int, user_id: int) -> None:
    bodies = [("OR", "Ohjausryhmä", "strategic"), ("JT", "Johtotiimi", "tactical"), ("T-01", "Tiimi", "operational")]
    _insert(
        Body.__table__,
        [{"code": code, "name": name, "level": level, "mandate": [level]} for code, name, level in bodies],
    )
    body_ids = dict(db.session.execute(sa.select(Body.code, Body.id)).all())
    db.session.commit()
    per_meeting = 20
    case_base = (db.session.scalar(sa.select(sa.func.max(Case.id))) or 0) + 1
    meeting_base = (db.session.scalar(sa.select(sa.func.max(Meeting.id))) or 0) + 1
    item_base = (db.session.scalar(sa.select(sa.func.max(AgendaItem.id))) or 0) + 1
    numbers: dict[tuple[str, int], int] = {}
    resolutions = ["approved", "approved", "approved", "approved_amended", "rejected", "tabled", "noted"]
    kinds = {"strategic": "strategy", "tactical": "listing_policy", "operational": "operational"}
    with click.progressbar(length=count, label="decisions") as bar:
        for first in range(0, count, CHUNK):
            meetings, cases, items, decisions = [], [], [], []
            for n in range(first, min(first + CHUNK, count)):
                if n % per_meeting == 0:
                    code = rng.choice(list(body_ids))
                    year = rng.randint(2015, 2026)
                    number = numbers.get((code, year), 0) + 1
                    numbers[(code, year)] = number
                    day = date(year, 1, 1) + timedelta(days=rng.randint(0, 330))
                    meeting_id = meeting_base + n // per_meeting
                    meetings.append(
                        {
                            "id": meeting_id,
                            "body_id": body_ids[code],
                            "year": year,
                            "number": number,
                            "starts_at": datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
                            "status": "minutes_approved",
                            "agenda_published_at": datetime.now(UTC),
                        }
                    )
                    current = (code, year, number, day, meeting_id)
                code, year, number, day, meeting_id = current
                section = n % per_meeting + 1
                topic, other = rng.sample(TOPICS, 2)
                case_id, item_id = case_base + n, item_base + n
                level = next(level for c, _name, level in bodies if c == code)
                cases.append(
                    {
                        "id": case_id,
                        "record_number": f"DIGI-{year}-{n + 1:06d}",
                        "title": f"{topic.capitalize()}: {other}",
                        "confidential": rng.random() < 0.03,
                        "legal_basis": "JulkL 24 § 1 (20)",
                        "created_by_id": user_id,
                    }
                )
                items.append(
                    {
                        "id": item_id,
                        "meeting_id": meeting_id,
                        "case_id": case_id,
                        "section": section,
                        "proposal": f"Esitetään, että {topic} hyväksytään.",
                        "decision_kind": kinds[level],
                    }
                )
                reference = f"{code} {number}/{year} § {section}"
                decisions.append(
                    {
                        "item_id": item_id,
                        "case_id": case_id,
                        "body_id": body_ids[code],
                        "reference": reference,
                        "slug": decision_slug(reference),
                        "title": f"{topic.capitalize()}: {other}",
                        "kind": kinds[level],
                        "resolution": rng.choice(resolutions),
                        "text": f"Päätettiin {topic} ja {other} esityksen mukaisesti.",
                        "decided_on": day,
                        "effective_at": datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                    }
                )
            _insert(Meeting.__table__, meetings)
            _insert(Case.__table__, cases)
            _insert(AgendaItem.__table__, items)
            _insert(Decision.__table__, decisions)
            db.session.commit()
            bar.update(len(decisions))
    if db.session.get_bind().dialect.name == "postgresql":
        for table in (
            "organisations",
            "users",
            "services",
            "pricing_plans",
            "service_revisions",
            "bodies",
            "meetings",
            "cases",
            "agenda_items",
            "decisions",
        ):
            db.session.execute(
                sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
