"""The steps of the joining application, in order."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from marketplace.onboarding import forms


@dataclass(frozen=True)
class Step:
    slug: str
    title: object
    form: type[forms.StepForm]


STEPS: tuple[Step, ...] = (
    Step("organisation", _l("Organisation"), forms.OrganisationStep),
    Step("contacts", _l("Contacts"), forms.ContactsStep),
    Step("data-protection", _l("Data protection"), forms.DataProtectionStep),
    Step("accessibility", _l("Accessibility"), forms.AccessibilityStep),
    Step("security", _l("Security and interoperability"), forms.SecurityStep),
    Step("attachments", _l("Attachments"), forms.AttachmentsStep),
    Step("rules", _l("Rules"), forms.RulesStep),
)
BY_SLUG = {step.slug: step for step in STEPS}
ATTACHMENT_KINDS = {"dpa": _l("Signed data processing agreement"), "trade_register": _l("Trade register extract")}


def next_step(slug: str) -> Step | None:
    index = [s.slug for s in STEPS].index(slug)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None
