"""Turning stored answers into what people read: labels and values per step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FileField, HiddenField, SelectFieldBase, SubmitField
from wtforms.csrf.core import CSRFTokenField

from marketplace.onboarding.models import ProviderApplication
from marketplace.onboarding.steps import BY_SLUG, STEPS, Step

SKIPPED = (CSRFTokenField, SubmitField, FileField, HiddenField)


def to_formdata(stored: dict[str, Any]) -> MultiDict:
    pairs = []
    for key, value in stored.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return MultiDict(pairs)


def raw_from_request(form) -> dict[str, Any]:
    """What the person typed in a step, as text (lists for multiple choices)."""
    raw: dict[str, Any] = {}
    for field in form:
        if isinstance(field, (CSRFTokenField, SubmitField, FileField)):
            continue
        if field.type in ("SelectMultipleField", "MultiCheckboxField"):
            raw[field.name] = [str(v)[:200] for v in (field.raw_data or [])][:20]
        else:
            raw[field.name] = str((field.raw_data or [""])[0])[:10_000]
    return raw


@dataclass(frozen=True)
class Answer:
    name: str
    label: str
    value: str


def _display(field) -> str:
    if isinstance(field, BooleanField):
        return _("Yes") if field.data else _("No")
    if isinstance(field, SelectFieldBase) and hasattr(field, "choices"):
        labels = {str(c.value): str(c.label) for c in field.choices}
        data = field.data
        if isinstance(data, list):
            return ", ".join(labels.get(str(v), str(v)) for v in data) or "–"
        return labels.get(str(data), "–" if data in (None, "") else str(data))
    if field.data in (None, ""):
        return "–"
    return str(field.data)


def step_answers(application: ProviderApplication, step: Step) -> list[Answer]:
    stored = application.step(step.slug)
    form = step.form(formdata=to_formdata(stored), meta={"csrf": False})
    answers = [
        Answer(field.name, str(field.label.text), _display(field)) for field in form if not isinstance(field, SKIPPED)
    ]
    if step.slug == "organisation":
        digits = (stored.get("business_id") or "").replace("-", "").strip()
        if len(digits) == 8 and digits.isdigit():
            answers.insert(3, Answer("vat_number", _("EU VAT number"), f"FI{digits}"))
    return answers


def all_answers(application: ProviderApplication) -> list[tuple[Step, list[Answer]]]:
    """Every step but the attachments; the rules step only when it holds a signatory
    (with nothing to accept, or rules accepted earlier, it holds nothing)."""
    return [
        (step, step_answers(application, step))
        for step in STEPS
        if step.slug != "attachments" and (step.slug != "rules" or application.step("rules"))
    ]


def field_label(step: Step, name: str) -> str:
    form = step.form(formdata=None, meta={"csrf": False})
    field = getattr(form, name, None)
    return str(field.label.text) if field is not None else name


#: What a provider's public page shows of its approved application; contact
#: people's names, e-mails and phones stay with the coordinator.
PUBLIC_FIELDS = {
    "organisation": ("legal_name", "trade_name", "business_id", "vat_number", "city", "website"),
    "data-protection": (
        "processor_role",
        "hosting",
        "safeguard",
        "sells_data",
        "third_party_marketing",
        "targeted_advertising",
        "cross_service_tracking",
        "commercial_profiling",
        "data_categories",
        "privacy_notice_url",
    ),
    "accessibility": ("wcag", "statement_url", "evaluated_on"),
    "security": ("standards", "standard_versions", "evidence", "admin_mfa"),
}


def public_profile(application: ProviderApplication) -> list[tuple[Step, list[Answer]]]:

    return [
        (BY_SLUG[slug], [a for a in step_answers(application, BY_SLUG[slug]) if a.name in names])
        for slug, names in PUBLIC_FIELDS.items()
    ]
