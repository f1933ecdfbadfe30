"""Demo onboarding: a new provider whose joining application waits in the
coordinator's queue. Idempotent; never commits."""

from __future__ import annotations

import sqlalchemy as sa

from app import services as core
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import Organisation, OrgKind, OrgRole, OrgStatus, User
from governance import services as rules
from marketplace import services
from marketplace.steps import STEPS

APPLICANT_EMAIL = "applicant@example.com"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ANSWERS = {
    "organisation": {
        "legal_name": "Tarinatalo Oy", "trade_name": "Tarinatalo", "business_id": "3141590-3",
        "street_address": "Kauppakatu 5", "postcode": "40100", "city": "Jyväskylä",
        "website": "https://tarinatalo.example.fi", "einvoice_address": "003731415903",
        "einvoice_operator": "003721291126", "turnover_class": "under_2m",
    },
    "contacts": {
        "signatory_name": "Tuula Tarina", "signatory_email": "tuula@tarinatalo.example.fi",
        "signatory_phone": "+358 40 765 4321", "main_name": "Tuula Tarina",
        "main_email": "tuula@tarinatalo.example.fi", "main_phone": "+358 40 765 4321",
        "technical_name": "Olli Ohjelmoija", "technical_email": "olli@tarinatalo.example.fi",
        "technical_phone": "+358 40 111 2222", "security_name": "Olli Ohjelmoija",
        "security_email": "olli@tarinatalo.example.fi", "security_phone": "+358 40 111 2222",
        "support_name": "Tarinatalon tuki", "support_email": "tuki@tarinatalo.example.fi",
        "support_phone": "014 123 456", "dpo_name": "Dora Suoja", "dpo_email": "dora@tarinatalo.example.fi",
        "dpo_phone": "+358 40 333 4444",
    },
    "data-protection": {
        "processor_role": "yes", "hosting": "eu_eea", "safeguard": "",
        "sub_processors": "Pilvipalvelu Oy, palvelimet, Suomi",
        "privacy_notice_url": "https://tarinatalo.example.fi/tietosuoja", "sells_data": "no",
        "third_party_marketing": "no", "targeted_advertising": "no", "cross_service_tracking": "no",
        "commercial_profiling": "no", "data_categories": ["contact", "learning"],
    },
    "accessibility": {"wcag": "partial", "statement_url": "https://tarinatalo.example.fi/saavutettavuus",
                      "evaluated_on": "2026-10-15"},
    "security": {"evidence": ["self_assessment"], "admin_mfa": "yes", "standards": ["mpassid", "lti13"],
                 "standard_versions": "LTI 1.3"},
}


def load() -> None:
    if core.find_user_by_email(APPLICANT_EMAIL) is not None:
        return
    org = db.session.scalar(sa.select(Organisation).where(Organisation.business_id == "3141590-3"))
    if org is None:
        org = core.create_organisation(None, OrgKind.PROVIDER, "Tarinatalo Oy", "3141590-3",
                                       status=OrgStatus.APPLICANT)
    user = User(email=APPLICANT_EMAIL, name="Tuula Tarina", password_hash=core.hash_password(DEMO_PASSWORD),
                organisation=org, org_role=OrgRole.ADMIN.value, locale="fi")
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
        rules_answers = {"signatory_name": "Tuula Tarina", "signatory_title": "toimitusjohtaja", "authority": "y",
                         "sha256": version.body_sha256}
    services.save_step(user, application, "rules", rules_answers, True)
    services.submit(user, application, "127.0.0.1")
