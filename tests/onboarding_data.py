"""A complete, valid joining application, step by step, as a browser would post it."""

from __future__ import annotations

import io

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

STEP_DATA = {
    "organisation": {
        "legal_name": "Uusi Oppi Oy",
        "trade_name": "UusiOppi",
        "business_id": "0920632-0",
        "street_address": "Mannerheimintie 1",
        "postcode": "00100",
        "city": "Helsinki",
        "website": "https://uusioppi.example.fi",
        "einvoice_address": "003709206320",
        "einvoice_operator": "003721291126",
        "turnover_class": "under_2m",
    },
    "contacts": {
        **{
            f"{role}_{k}": v
            for role, name in [
                ("signatory", "Sanna Allekirjoittaja"),
                ("main", "Matti Yhteys"),
                ("technical", "Teemu Tekninen"),
                ("security", "Tiina Turva"),
                ("dpo", "Daniel Tietosuoja"),
            ]
            for k, v in (
                ("name", name),
                ("email", f"{name.split()[0].lower()}@uusioppi.example.fi"),
                ("phone", "+358 40 123 4567"),
            )
        },
        "support_name": "Asiakastuki",
        "support_email": "tuki@uusioppi.example.fi",
        "support_phone": "09 123 456",
    },
    "data-protection": {
        "processor_role": "yes",
        "hosting": "eu_eea",
        "safeguard": "",
        "sub_processors": "",
        "privacy_notice_url": "https://uusioppi.example.fi/tietosuoja",
        "sells_data": "no",
        "third_party_marketing": "no",
        "targeted_advertising": "no",
        "cross_service_tracking": "no",
        "commercial_profiling": "no",
        "data_categories": ["contact", "learning"],
    },
    "accessibility": {
        "wcag": "full",
        "statement_url": "https://uusioppi.example.fi/saavutettavuus",
        "evaluated_on": "2026-09-01",
    },
    "security": {
        "evidence": ["iso27001"],
        "admin_mfa": "yes",
        "standards": ["mpassid", "lti13"],
        "standard_versions": "LTI 1.3",
    },
}


def pdf_upload(name: str = "sopimus.pdf", data: bytes = PDF):
    return (io.BytesIO(data), name)
