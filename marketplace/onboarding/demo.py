"""Demo onboarding: a new provider whose joining application waits in the
coordinator's queue; and, for the dashboards' lead times, the earlier applications:
the catalogue's six providers approved, two applicants rejected and one in review,
submitted and decided over the past two years. Idempotent; never commits."""

from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app import services as core
from app.clock import HELSINKI
from app.demo import DEMO_PASSWORD
from app.extensions import db, utcnow
from app.models import Organisation, OrgKind, OrgRole, OrgStatus, User
from governance.rules import services as rules
from marketplace.onboarding import services
from marketplace.onboarding.models import (
    ApplicationComment,
    ApplicationStatus,
    ApplicationSubmission,
    ProviderApplication,
)
from marketplace.onboarding.steps import STEPS

APPLICANT_EMAIL = "applicant@example.com"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ANSWERS = {
    "organisation": {
        "legal_name": "Tarinatalo Oy",
        "trade_name": "Tarinatalo",
        "business_id": "3141590-3",
        "street_address": "Kauppakatu 5",
        "postcode": "40100",
        "city": "Jyväskylä",
        "website": "https://tarinatalo.example.fi",
        "einvoice_address": "003731415903",
        "einvoice_operator": "003721291126",
        "turnover_class": "under_2m",
    },
    "contacts": {
        "signatory_name": "Tuula Tarina",
        "signatory_email": "tuula@tarinatalo.example.fi",
        "signatory_phone": "+358 40 765 4321",
        "main_name": "Tuula Tarina",
        "main_email": "tuula@tarinatalo.example.fi",
        "main_phone": "+358 40 765 4321",
        "technical_name": "Olli Ohjelmoija",
        "technical_email": "olli@tarinatalo.example.fi",
        "technical_phone": "+358 40 111 2222",
        "security_name": "Olli Ohjelmoija",
        "security_email": "olli@tarinatalo.example.fi",
        "security_phone": "+358 40 111 2222",
        "support_name": "Tarinatalon tuki",
        "support_email": "tuki@tarinatalo.example.fi",
        "support_phone": "014 123 456",
        "dpo_name": "Dora Suoja",
        "dpo_email": "dora@tarinatalo.example.fi",
        "dpo_phone": "+358 40 333 4444",
    },
    "data-protection": {
        "processor_role": "yes",
        "hosting": "eu_eea",
        "safeguard": "",
        "sub_processors": "Pilvipalvelu Oy, palvelimet, Suomi",
        "privacy_notice_url": "https://tarinatalo.example.fi/tietosuoja",
        "sells_data": "no",
        "third_party_marketing": "no",
        "targeted_advertising": "no",
        "cross_service_tracking": "no",
        "commercial_profiling": "no",
        "data_categories": ["contact", "learning"],
    },
    "accessibility": {
        "wcag": "partial",
        "statement_url": "https://tarinatalo.example.fi/saavutettavuus",
        "evaluated_on": "2026-10-15",
    },
    "security": {
        "evidence": ["self_assessment"],
        "admin_mfa": "yes",
        "standards": ["mpassid", "lti13"],
        "standard_versions": "LTI 1.3",
    },
}


def load() -> None:
    _applicant()
    _history()


def _applicant() -> None:
    if core.find_user_by_email(APPLICANT_EMAIL) is not None:
        return
    org = db.session.scalar(sa.select(Organisation).where(Organisation.business_id == "3141590-3"))
    if org is None:
        org = core.create_organisation(None, OrgKind.PROVIDER, "Tarinatalo Oy", "3141590-3", status=OrgStatus.APPLICANT)
    user = User(
        email=APPLICANT_EMAIL,
        name="Tuula Tarina",
        password_hash=core.hash_password(DEMO_PASSWORD),
        organisation=org,
        org_role=OrgRole.ADMIN.value,
        locale="fi",
        email_confirmed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    application = services.start_application(user)
    for step in STEPS:
        if step.slug in ANSWERS:
            services.save_step(user, application, step.slug, ANSWERS[step.slug], True)
    services.save_attachment(user, application, "dpa", "kasittelysopimus.pdf", PDF)
    services.save_attachment(user, application, "trade_register", "kaupparekisteriote.pdf", PDF)
    services.save_step(user, application, "attachments", {}, True)
    version = rules.version_in_force()
    rules_answers = {}
    if version is not None:
        rules_answers = {
            "signatory_name": "Tuula Tarina",
            "signatory_title": "toimitusjohtaja",
            "authority": "y",
            "sha256": version.body_sha256,
        }
    services.save_step(user, application, "rules", rules_answers, True)
    services.submit(user, application, "127.0.0.1")


#: (business ID, name, admin e-mail, admin name, submitted on, days to the decision or None, status,
#: the coordinator's reason). The first six are the catalogue's providers; the rest are applicants.
HISTORY = [
    ("0831312-4", "Oppimisen Polku Oy", None, None, date(2025, 1, 14), 12, ApplicationStatus.APPROVED, ""),
    ("0920632-0", "Kielisilta Oy", None, None, date(2025, 2, 3), 26, ApplicationStatus.APPROVED, ""),
    ("1572860-0", "Arviointitalo Oy", None, None, date(2025, 4, 22), 9, ApplicationStatus.APPROVED, ""),
    ("2345678-0", "Laskupaja Oy", None, None, date(2025, 6, 10), 41, ApplicationStatus.APPROVED, ""),
    ("1234567-1", "Hyvä Koulupäivä Oy", None, None, date(2025, 9, 1), 18, ApplicationStatus.APPROVED, ""),
    ("7654321-2", "Tietoviisas Oy", None, None, date(2026, 1, 19), 23, ApplicationStatus.APPROVED, ""),
    (
        "1618033-3",
        "Pikavoitto Oy",
        "hakija.pikavoitto@example.com",
        "Pirkka Pikavoitto",
        date(2025, 7, 7),
        21,
        ApplicationStatus.REJECTED,
        "Palvelu käyttää oppilaiden tietoja kohdennettuun mainontaan, mikä on pelisääntöjen vastaista.",
    ),
    (
        "1414213-0",
        "Datakulma Oy",
        "hakija.datakulma@example.com",
        "Daniel Datakulma",
        date(2026, 4, 14),
        30,
        ApplicationStatus.REJECTED,
        "Tiedot säilytetään EU- ja ETA-alueen ulkopuolella ilman siirtoperustetta.",
    ),
    (
        "1732050-2",
        "Oppimisverkko Oy",
        "hakija.oppimisverkko@example.com",
        "Olga Verkko",
        date(2026, 10, 20),
        None,
        ApplicationStatus.IN_REVIEW,
        "",
    ),
]


def _answers(name: str, business_id: str, person: str) -> dict:
    """The Tarinatalo answers, made the organisation's own."""
    slug = name.split()[0].lower().replace("ä", "a").replace("ö", "o")
    trade = name.removesuffix(" Oy")
    pairs = (
        ("Tarinatalo Oy", name),
        ("3141590-3", business_id),
        ("Tarinatalo", trade),
        ("tarinatalo", slug),
        ("Tuula Tarina", person),
        ("003731415903", "0037" + business_id.replace("-", "") + "0"),
    )

    def own(value):
        if isinstance(value, dict):
            return {k: own(v) for k, v in value.items()}
        if isinstance(value, list):
            return [own(v) for v in value]
        for old, new in pairs:
            value = value.replace(old, new)
        return value

    return own(copy.deepcopy(ANSWERS))


def _history() -> None:
    coordinator = core.find_user_by_email("coordinator@example.com")
    if coordinator is None or db.session.scalar(
        sa.select(ProviderApplication.id).where(ProviderApplication.status == ApplicationStatus.APPROVED.value).limit(1)
    ):
        return
    password_hash = None
    for business_id, name, email, person, submitted_on, days, status, reason in HISTORY:
        org = db.session.scalar(sa.select(Organisation).where(Organisation.business_id == business_id))
        if email is None:
            if org is None:
                continue
            admin = db.session.scalar(
                sa.select(User)
                .where(User.organisation_id == org.id, User.org_role == OrgRole.ADMIN.value)
                .order_by(User.id)
            )
            if admin is None or db.session.scalar(
                sa.select(ProviderApplication.id).where(ProviderApplication.organisation_id == org.id).limit(1)
            ):
                continue
        else:
            if org is None:
                org = core.create_organisation(None, OrgKind.PROVIDER, name, business_id, status=OrgStatus.APPLICANT)
            admin = core.find_user_by_email(email)
            if admin is None:
                password_hash = password_hash or core.hash_password(DEMO_PASSWORD)
                admin = User(
                    email=email,
                    name=person,
                    password_hash=password_hash,
                    organisation=org,
                    org_role=OrgRole.ADMIN.value,
                    locale="fi",
                    email_confirmed_at=utcnow(),
                )
                db.session.add(admin)
        answers = _answers(org.name, business_id, admin.name)
        submitted = datetime.combine(submitted_on, time(10, 30), tzinfo=HELSINKI)
        application = ProviderApplication(
            organisation=org,
            created_by=admin,
            status=status.value,
            answers=answers,
            completed_steps=[step.slug for step in STEPS],
            pre_assessment="pass",
            pre_assessment_reasons=[],
            submission_count=1,
            submitted_at=submitted,
            created_at=submitted - timedelta(days=6),
            updated_at=submitted,
        )
        if days is not None:
            application.decided_at = submitted + timedelta(days=days, hours=3)
            application.decided_by_id = coordinator.id
            application.decision_reason = reason
            application.updated_at = application.decided_at
        db.session.add(application)
        db.session.add(
            ApplicationSubmission(application=application, number=1, answers=answers, submitted_at=submitted)
        )
        if reason:
            db.session.add(
                ApplicationComment(
                    application=application,
                    author=coordinator,
                    body=reason,
                    visible_to_applicant=True,
                    created_at=application.decided_at,
                )
            )
    db.session.flush()
