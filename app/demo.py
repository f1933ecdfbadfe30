"""Demo data for development: loaded by `flask demo load`, never in production."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app import audit, services
from app.extensions import db, utcnow
from app.models import Organisation, OrgKind, OrgRole, OrgStatus, User

DEMO_PASSWORD = "digione-demo"

MUNICIPALITIES = [
    ("Espoo", "049", "0101263-6"),
    ("Jyväskylä", "179", "0208201-1"),
    ("Lahti", "398", "0208223-0"),
    ("Oulu", "564", "0187690-1"),
    ("Tampere", "837", "0211675-2"),
    ("Turku", "853", "0204819-8"),
    ("Vantaa", "092", "0124610-9"),
]
#: Pupils in basic and upper secondary education, roughly (for the dashboards' figures per pupil).
PUPILS = {
    "Espoo": 45_000,
    "Jyväskylä": 17_000,
    "Lahti": 12_500,
    "Oulu": 30_000,
    "Tampere": 30_000,
    "Turku": 20_000,
    "Vantaa": 32_000,
}
COORDINATOR = ("DigiOne-koordinaatio", "2077474-0")
PROVIDERS = [
    ("Oppimisen Polku Oy", "0831312-4"),
    ("Kielisilta Oy", "0920632-0"),
    ("Arviointitalo Oy", "1572860-0"),
    ("Laskupaja Oy", "2345678-0"),
    ("Hyvä Koulupäivä Oy", "1234567-1"),
    ("Tietoviisas Oy", "7654321-2"),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    organisation: str
    role: OrgRole
    description: str


ACCOUNTS = [
    DemoAccount(
        "coordinator@example.com",
        "Kaisa Koordinaattori",
        COORDINATOR[0],
        OrgRole.ADMIN,
        "coordinator (ecosystem administration)",
    ),
    DemoAccount(
        "coordinator.staff@example.com",
        "Kalle Koordinaattori",
        COORDINATOR[0],
        OrgRole.MEMBER,
        "coordinator staff member",
    ),
    DemoAccount(
        "provider@example.com",
        "Pia Palveluntarjoaja",
        PROVIDERS[0][0],
        OrgRole.ADMIN,
        "provider admin (Oppimisen Polku Oy)",
    ),
    DemoAccount(
        "provider.member@example.com",
        "Pekka Polku",
        PROVIDERS[0][0],
        OrgRole.MEMBER,
        "provider member (Oppimisen Polku Oy)",
    ),
    DemoAccount(
        "provider2@example.com", "Kirsi Kielisilta", PROVIDERS[1][0], OrgRole.ADMIN, "provider admin (Kielisilta Oy)"
    ),
    DemoAccount(
        "provider3@example.com", "Aino Arvio", PROVIDERS[2][0], OrgRole.ADMIN, "provider admin (Arviointitalo Oy)"
    ),
    DemoAccount(
        "provider4@example.com", "Lasse Laskupaja", PROVIDERS[3][0], OrgRole.ADMIN, "provider admin (Laskupaja Oy)"
    ),
    DemoAccount(
        "provider5@example.com", "Hilla Hyvönen", PROVIDERS[4][0], OrgRole.ADMIN, "provider admin (Hyvä Koulupäivä Oy)"
    ),
    DemoAccount(
        "provider6@example.com", "Tero Tietoviisas", PROVIDERS[5][0], OrgRole.ADMIN, "provider admin (Tietoviisas Oy)"
    ),
    DemoAccount("admin.vantaa@example.com", "Ville Vantaa", "Vantaa", OrgRole.ADMIN, "municipality admin (Vantaa)"),
    DemoAccount("buyer.vantaa@example.com", "Veera Ostaja", "Vantaa", OrgRole.BUYER, "municipality buyer (Vantaa)"),
    DemoAccount(
        "approver.vantaa@example.com", "Väinö Hyväksyjä", "Vantaa", OrgRole.APPROVER, "municipality approver (Vantaa)"
    ),
    DemoAccount(
        "member.vantaa@example.com",
        "Minna Opettaja",
        "Vantaa",
        OrgRole.MEMBER,
        "municipality member, a teacher (Vantaa)",
    ),
    DemoAccount(
        "secretary.or@example.com",
        "Sari Sihteeri",
        COORDINATOR[0],
        OrgRole.MEMBER,
        "secretary of the steering group OR",
    ),
    DemoAccount(
        "chair.or@example.com",
        "Pekka Puheenjohtaja",
        "Vantaa",
        OrgRole.MEMBER,
        "chair of the steering group OR (Vantaa's representative)",
    ),
    DemoAccount(
        "secretary.jt@example.com",
        "Jaana Sihteeri",
        COORDINATOR[0],
        OrgRole.MEMBER,
        "secretary of the management team JT",
    ),
    DemoAccount("member.jt@example.com", "Mikko Jäsen", "Espoo", OrgRole.MEMBER, "member of the management team JT"),
    DemoAccount(
        "chair.jt@example.com", "Johanna Johtaja", "Tampere", OrgRole.MEMBER, "chair of the management team JT"
    ),
    DemoAccount(
        "applicant@example.com",
        "Tuula Tarina",
        "Tarinatalo Oy",
        OrgRole.ADMIN,
        "applicant provider admin (Tarinatalo Oy, application in review queue)",
    ),
    DemoAccount("buyer.espoo@example.com", "Eero Ostaja", "Espoo", OrgRole.BUYER, "municipality buyer (Espoo)"),
    DemoAccount(
        "approver.espoo@example.com", "Elina Hyväksyjä", "Espoo", OrgRole.APPROVER, "municipality approver (Espoo)"
    ),
]


def _org_by_name(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


def load() -> list[DemoAccount]:
    """Create what is missing; running it again changes nothing. Never commits."""
    for name, code, business_id in MUNICIPALITIES:
        org = _org_by_name(name)
        if org is None:
            services.create_organisation(None, OrgKind.MUNICIPALITY, name, business_id, code, pupil_count=PUPILS[name])
        elif org.pupil_count is None:  # a database from before pupil counts (a coordinator's figure stays)
            services.set_pupil_count(None, org, PUPILS[name])
    if _org_by_name(COORDINATOR[0]) is None:
        services.create_organisation(None, OrgKind.COORDINATOR, COORDINATOR[0], COORDINATOR[1])
    for name, business_id in PROVIDERS:
        if _org_by_name(name) is None:
            services.create_organisation(None, OrgKind.PROVIDER, name, business_id, status=OrgStatus.ACTIVE)
    for account in ACCOUNTS:
        if services.find_user_by_email(account.email) is not None:
            continue
        org = _org_by_name(account.organisation)
        if org is None:
            continue  # an organisation that a domain package's demo loader creates, with its people
        user = User(
            email=account.email,
            name=account.name,
            password_hash=services.hash_password(DEMO_PASSWORD),
            organisation=org,
            org_role=account.role.value,
            locale="fi",
            email_confirmed_at=utcnow(),
        )
        db.session.add(user)
        audit.record(None, "user.created_demo", user, email=account.email, role=account.role.value)
    db.session.flush()
    return ACCOUNTS
