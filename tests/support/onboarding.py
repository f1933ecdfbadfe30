"""The provider onboarding wizard, filled in through its forms as an applicant does."""

from __future__ import annotations

import re

from tests.onboarding_data import STEP_DATA, pdf_upload


def fill_wizard(client, skip=(), **overrides):
    """Fill in every step of the wizard with STEP_DATA (`overrides` by step), and the attachments, but `skip`."""
    for slug, data in STEP_DATA.items():
        if slug in skip:
            continue
        response = client.post_form(
            f"/join/step/{slug}", {**data, **overrides.get(slug, {})}, page=f"/join/step/{slug}"
        )
        assert response.status_code == 302, (
            slug,
            re.findall(r'class="field-error"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S),
        )
    if "attachments" not in skip:
        response = client.post_form(
            "/join/step/attachments",
            {"dpa": pdf_upload(), "trade_register": pdf_upload("kauppa.pdf")},
            page="/join/step/attachments",
            content_type="multipart/form-data",
        )
        assert response.status_code == 302


def accept_rules_step(client, version=None):
    """Send the wizard's rules step: empty, or accepting `version` with a signatory."""
    data = {}
    if version is not None:
        data = {
            "signatory_name": "Sanna Allekirjoittaja",
            "signatory_title": "toimitusjohtaja",
            "authority": "y",
            "sha256": version.body_sha256,
        }
    return client.post_form("/join/step/rules", data, page="/join/step/rules")
