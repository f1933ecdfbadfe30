"""Demo history for the dashboards: two years of procurement by the seven cities.

Requests and orders are built directly as rows (fast: a few hundred rows in one flush or
two), but with exactly what the services would have stored: prices, VAT rates and months
copied onto the lines, VAT per line rounded half up, order totals as sums of their lines,
references PO-<year>-<id> and Finnish payment references, four-eyes approval by another
person of the city, the provider's answer. No audit events: this is history the demo
pretends happened before the platform's audit trail began.

Vantaa's buyer gets historical orders but never a draft, so the procurement flow stays
free to try. Idempotent (skipped once the history's buyers exist); never commits."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app import services as core
from app.clock import HELSINKI, helsinki_today
from app.demo import DEMO_PASSWORD
from app.extensions import db, utcnow
from app.models import Organisation, OrgKind, OrgRole, User
from app.validators import payment_reference
from marketplace.catalogue.models import CatalogueEntry, ServiceRevision
from marketplace.catalogue.vocab import PriceModel
from marketplace.procurement import services
from marketplace.procurement.models import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ProcurementRequest,
    RequestLine,
    RequestStatus,
)

MONTHS = 24
SEED = 20261
#: Requests per city over the two years (roughly by size).
REQUESTS = {"Espoo": 22, "Vantaa": 18, "Tampere": 16, "Oulu": 16, "Turku": 12, "Jyväskylä": 10, "Lahti": 8}
#: (buyer, approver) of the cities whose demo people the core demo does not make.
PEOPLE = {
    "Espoo": (("buyer.espoo@example.com", ""), ("approver.espoo@example.com", "")),
    "Vantaa": (("buyer.vantaa@example.com", ""), ("approver.vantaa@example.com", "")),
    "Jyväskylä": (
        ("buyer.jyvaskyla@example.com", "Jenni Ostaja"),
        ("approver.jyvaskyla@example.com", "Jussi Hyväksyjä"),
    ),
    "Lahti": (("buyer.lahti@example.com", "Leena Ostaja"), ("approver.lahti@example.com", "Lauri Hyväksyjä")),
    "Oulu": (("buyer.oulu@example.com", "Olli Ostaja"), ("approver.oulu@example.com", "Oona Hyväksyjä")),
    "Tampere": (("buyer.tampere@example.com", "Tarja Ostaja"), ("approver.tampere@example.com", "Timo Hyväksyjä")),
    "Turku": (("buyer.turku@example.com", "Tuomo Ostaja"), ("approver.turku@example.com", "Taina Hyväksyjä")),
}
#: How often each service is bought (default 1): some categories lean on one provider
#: (assessment on Arviointitalo, guardian communication on Hyvä Koulupäivä), others are spread.
WEIGHTS = {
    "Matikkamestari": 4,
    "Lukujono": 4,
    "Derivaattori": 2,
    "Lukulaiva": 3,
    "Ruotsinreitti": 4,
    "Sanavirta": 2,
    "Aikajana": 3,
    "Luontokartta": 2,
    "Taitoseula": 5,
    "Koeareena": 3,
    "Sujuvuusmittari": 4,
    "Osaamiskansio": 3,
    "Itsearvio": 2,
    "Laskukoe": 1,
    "Kielitaitotutka": 1,
    "Polkualusta": 4,
    "Geometriapaja": 2,
    "Koodiverstas": 2,
    "Tandemtori": 2,
    "Pikkupolku": 1,
    "Kotiviesti": 6,
    "Iltisviesti": 2,
    "Eskaripäivä": 1,
    "Tiedotetulkki": 1,
    "Tapaamiskalenteri": 1,
    "Fiilismittari": 2,
    "Turvailmoitus": 2,
    "Tunnetaidot": 2,
    "Liikuntavirta": 1,
    "Oppilashuoltokansio": 2,
    "Koulutuskompassi": 2,
    "Poissaolotutka": 2,
    "Tulostaulu": 1,
    "Resurssivahti": 1,
    "Käyttöpulssi": 1,
    "Todistuspaja": 2,
    "Lukkari": 2,
    "Tunnusvahti": 1,
    "Sijaisreki": 1,
    "Erityisruokavalio": 1,
}
PURPOSES = [
    "Lukuvuoden {year} oppimateriaalit",
    "Arvioinnin välineet lukuvuodelle {year}",
    "Kodin ja koulun yhteistyö {year}",
    "Oppimisympäristön lisenssit {year}",
    "Hyvinvoinnin tuki kouluissa {year}",
    "Tiedolla johtamisen välineet {year}",
    "Koulujen hallinnon palvelut {year}",
    "Kokeilu valituissa kouluissa {year}",
]
DECLINE_REASONS = [
    "Tilattu määrä ylittää tämän vuoden kapasiteettimme.",
    "Palvelu uudistuu; tarjoamme uutta versiota syksystä alkaen.",
]
REJECT_REASONS = ["Ei sisälly tämän vuoden talousarvioon.", "Päällekkäinen jo käytössä olevan palvelun kanssa."]
PUPILS_PER_SCHOOL = 350
LINE_CAP_CENTS = 35_000_00


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _people(city: Organisation, password_hash: str) -> tuple[User, User] | None:
    found = []
    for email, name in PEOPLE[city.name]:
        user = _user(email)
        if user is None:
            if not name:
                return None
            role = OrgRole.BUYER if email.startswith("buyer.") else OrgRole.APPROVER
            user = User(
                email=email,
                name=name,
                password_hash=password_hash,
                organisation=city,
                org_role=role.value,
                locale="fi",
                email_confirmed_at=utcnow(),
            )
            db.session.add(user)
        found.append(user)
    return found[0], found[1]


def _offers() -> list[tuple[CatalogueEntry, dict]]:
    """Every paid plan of the published catalogue, from the published revisions."""
    entries = {e.service_id: e for e in db.session.scalars(sa.select(CatalogueEntry))}
    if not entries:
        return []
    revisions = db.session.scalars(
        sa.select(ServiceRevision).where(
            sa.tuple_(ServiceRevision.service_id, ServiceRevision.number).in_(
                [(e.service_id, e.revision_number) for e in entries.values()]
            )
        )
    )
    offers = []
    for revision in revisions:
        for plan in revision.snapshot.get("plans", []):
            if plan["model"] != PriceModel.FREE and int(plan["unit_price_cents"]) > 0:
                offers.append((entries[revision.service_id], plan))
    offers.sort(key=lambda o: (o[0].service_id, int(o[1]["id"])))
    return offers


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 15), rng.choice((0, 15, 30, 45))), tzinfo=HELSINKI)


def _term(created: date, rng: random.Random) -> tuple[date, date]:
    """The next school year (1.8.-31.7.) when bought in spring, else the rest of the current
    one; now and then a shorter pilot."""
    if 3 <= created.month <= 7:
        start, end = date(created.year, 8, 1), date(created.year + 1, 7, 31)
    else:
        first = (created.replace(day=1) + timedelta(days=32)).replace(day=1)
        start = first
        end = date(first.year + (1 if first.month >= 8 else 0), 7, 31)
    if rng.random() < 0.12:  # a pilot of three to six months
        end = min(end, services._add_months(start, rng.randint(3, 6)) - timedelta(days=1))
    return start, end


def _quantity(model: str, unit: int, pupils: int, months: int, rng: random.Random) -> int:
    if model == PriceModel.PER_PUPIL_YEAR:
        wanted = int(pupils * rng.choice((0.06, 0.08, 0.1, 0.12, 0.15, 0.2)))
        return max(50, min(wanted, LINE_CAP_CENTS * 12 // max(1, unit * months)))
    if model == PriceModel.PER_SCHOOL_YEAR:
        schools = max(1, pupils // PUPILS_PER_SCHOOL)
        wanted = max(1, round(schools * rng.choice((0.1, 0.2, 0.3, 0.5))))
        return max(1, min(wanted, LINE_CAP_CENTS * 12 // max(1, unit * months)))
    if model == PriceModel.PER_USER_MONTH:
        wanted = max(5, int(pupils / 12 * rng.choice((0.05, 0.1, 0.2))))
        return max(1, min(wanted, LINE_CAP_CENTS // max(1, unit * months)))
    return 1  # per municipality per year, one-off


def load() -> None:
    cities = {
        o.name: o
        for o in db.session.scalars(
            sa.select(Organisation).where(
                Organisation.kind == OrgKind.MUNICIPALITY.value, Organisation.name.in_(list(REQUESTS))
            )
        )
    }
    if len(cities) < len(REQUESTS) or _user("buyer.oulu@example.com") is not None:
        return
    offers = _offers()
    if not offers:
        return
    password_hash = core.hash_password(DEMO_PASSWORD)
    people = {name: _people(city, password_hash) for name, city in cities.items()}
    if any(p is None for p in people.values()):
        return
    provider_admins = {}
    for org_id, user in db.session.execute(
        sa.select(User.organisation_id, User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.kind == OrgKind.PROVIDER.value, User.org_role == OrgRole.ADMIN.value)
        .order_by(User.id)
    ):
        provider_admins.setdefault(org_id, user)
    weights = [WEIGHTS.get(entry.name, 1) for entry, _plan in offers]
    rng = random.Random(SEED)
    today = helsinki_today()
    now = utcnow()
    made: list[tuple[ProcurementRequest, list[Order]]] = []

    for city_name in sorted(REQUESTS):
        city = cities[city_name]
        buyer, approver = people[city_name]
        pupils = city.pupil_count or 10_000
        for n in range(REQUESTS[city_name]):
            # Spread over the 24 months, more in spring (next school year) and early autumn.
            month_back = (n * MONTHS) // REQUESTS[city_name] + rng.randint(0, 1)
            month_start = services._add_months(today.replace(day=1), -min(month_back, MONTHS - 1))
            created_day = month_start + timedelta(days=rng.randint(0, 27))
            if n == 0 or created_day >= today - timedelta(days=1):  # each city's latest: the last days
                created_day = today - timedelta(days=rng.randint(2, 9))
            created = _at(created_day, rng)
            request = ProcurementRequest(
                organisation_id=city.id,
                requester_id=buyer.id,
                created_at=created,
                cost_centre=f"{rng.choice((4100, 4200, 4300, 4500))} Perusopetus",
                purpose=rng.choice(PURPOSES).format(year=f"{created.year}–{created.year + 1}"),
            )
            term_start, term_end = _term(created_day, rng)
            months = services.term_months(term_start, term_end)
            chosen: dict[int, tuple[CatalogueEntry, dict]] = {}
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                entry, plan = rng.choices(offers, weights)[0]
                chosen.setdefault(entry.service_id, (entry, plan))
            net_total = 0
            for entry, plan in chosen.values():
                unit, model, vat_bp = int(plan["unit_price_cents"]), plan["model"], int(plan["vat_rate_bp"])
                quantity = max(int(plan.get("min_quantity") or 1), _quantity(model, unit, pupils, months, rng))
                net = services.line_net_cents(model, unit, quantity, months)
                if net_total + net >= services.THRESHOLD_CENTS - 2_000_00:
                    continue  # a direct catalogue order stays below the national threshold
                net_total += net
                request.lines.append(
                    RequestLine(
                        service_id=entry.service_id,
                        plan_id=int(plan["id"]),
                        provider_id=entry.organisation_id,
                        quantity=quantity,
                        term_start=term_start,
                        term_end=term_end,
                        service_name=entry.name,
                        plan_name=plan["name"],
                        price_model=model,
                        unit_price_cents=unit,
                        vat_rate_bp=vat_bp,
                        months=months,
                        net_cents=net,
                        vat_cents=services.vat_cents(net, vat_bp),
                    )
                )
            if not request.lines:
                continue
            request.net_cents = sum(line.net_cents for line in request.lines)
            request.vat_cents = sum(line.vat_cents for line in request.lines)
            request.sent_at = created + timedelta(minutes=rng.randint(20, 180))
            request.updated_at = request.sent_at
            recent = created_day >= today - timedelta(days=7)
            roll = rng.random()
            if recent and city_name != "Vantaa" and roll < 0.4:
                request.status = RequestStatus.PENDING_APPROVAL.value
            elif roll < 0.03:
                request.status = RequestStatus.CANCELLED.value
                request.updated_at = request.sent_at + timedelta(days=1)
            else:
                request.decided_at = _at(
                    min(created_day + timedelta(days=rng.randint(1, 5)), today - timedelta(days=1)), rng
                )
                request.decided_by_id = approver.id
                request.updated_at = request.decided_at
                if roll < 0.08:
                    request.status = RequestStatus.REJECTED.value
                    request.decision_comment = rng.choice(REJECT_REASONS)
                else:
                    request.status = RequestStatus.APPROVED.value
                    request.decision_comment = "Talousarvion mukainen."
            db.session.add(request)
            orders = []
            if request.status == RequestStatus.APPROVED:
                by_provider: dict[int, list[RequestLine]] = defaultdict(list)
                for line in request.lines:
                    by_provider[line.provider_id].append(line)
                for provider_id, lines in sorted(by_provider.items()):
                    order = Order(
                        request=request,
                        organisation_id=city.id,
                        provider_id=provider_id,
                        term_start=min(line.term_start for line in lines),
                        term_end=max(line.term_end for line in lines),
                        net_cents=sum(line.net_cents for line in lines),
                        vat_cents=sum(line.vat_cents for line in lines),
                        created_at=request.decided_at,
                        payment_method=PaymentMethod.MANUAL.value,
                    )
                    for line in lines:
                        line.order = order
                    _answer(order, provider_admins.get(provider_id), today, now, rng)
                    db.session.add(order)
                    orders.append(order)
            made.append((request, orders))
    db.session.flush()
    for _request, orders in made:  # the ids make the references unique, as in the services
        for order in orders:
            year = order.created_at.astimezone(HELSINKI).year
            order.reference = f"PO-{year}-{order.id:06d}"
            order.payment_reference = payment_reference(f"{year}{order.id:06d}")
            if order.payment_method == PaymentMethod.STRIPE_INVOICE:
                order.stripe_invoice_id = f"in_demo_{order.id:06d}"
                order.invoice_number = f"DEMO-{order.id:06d}"
    db.session.flush()


def _answer(order: Order, admin: User | None, today: date, now: datetime, rng: random.Random) -> None:
    """The provider's answer and the payment, as far as time has let them happen."""
    created = order.created_at
    if admin is None or created > now - timedelta(days=4):
        return  # still waiting for the provider
    order.decided_at = _at(created.astimezone(HELSINKI).date() + timedelta(days=rng.randint(1, 3)), rng)
    order.decided_by_id = admin.id
    if rng.random() < 0.05:
        order.status = OrderStatus.DECLINED.value
        order.decline_reason = rng.choice(DECLINE_REASONS)
        return
    order.status = OrderStatus.ACTIVE.value
    decided_day = order.decided_at.astimezone(HELSINKI).date()
    if decided_day < today - timedelta(days=365):  # the first year: manual invoicing, all paid
        order.payment_status = PaymentStatus.PAID.value
        order.paid_at = order.decided_at + timedelta(days=rng.randint(12, 40))
        order.payment_note = "Maksettu tilisiirtona (demo)."
        return
    order.payment_method = PaymentMethod.STRIPE_INVOICE.value
    order.due_date = decided_day + timedelta(days=30)
    roll = rng.random()
    if order.due_date < today:
        if roll < 0.14:
            order.payment_status = PaymentStatus.INVOICED.value  # overdue: due and unpaid
        elif roll < 0.18:
            order.payment_status = PaymentStatus.PAYMENT_FAILED.value
        else:
            order.payment_status = PaymentStatus.PAID.value
            order.paid_at = order.decided_at + timedelta(days=rng.randint(5, 30))
    elif roll < 0.35 and order.decided_at < now - timedelta(days=7):
        order.payment_status = PaymentStatus.PAID.value
        order.paid_at = order.decided_at + timedelta(days=rng.randint(3, 6))
    else:
        order.payment_status = PaymentStatus.INVOICED.value
