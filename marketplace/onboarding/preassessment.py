"""Automatic pre-assessment of a submitted application from its declarations.

A "fail" means a declaration that breaks the ecosystem's rules outright (the
provider does not act as processor, or sells or profiles pupils' data); a
"needs review" means something a reviewer must weigh. The reviewer always
decides; this only sorts the queue and names the reasons.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.onboarding.models import PreAssessment, ProviderApplication

REASONS = {
    "not_processor": _l("Does not act as processor with the municipality as controller."),
    "sells_data": _l("Sells or hands over pupils' data."),
    "third_party_marketing": _l("Uses data for marketing by third parties."),
    "targeted_advertising": _l("Shows targeted advertising."),
    "cross_service_tracking": _l("Tracks users across services."),
    "commercial_profiling": _l("Profiles pupils for commercial purposes."),
    "wcag_none": _l("The service does not conform to WCAG 2.1 AA."),
    "hosting_outside": _l("Data is hosted outside the EU and the EEA (with a safeguard)."),
    "special_categories": _l("Special categories of personal data are processed."),
    "wcag_partial": _l("The service conforms to WCAG 2.1 AA only partially."),
    "self_assessment_only": _l("Security rests on a self-assessment only."),
    "no_admin_mfa": _l("Administrators do not use multi-factor authentication."),
    "no_mpassid": _l("MPASSid sign-in is not supported."),
}
FAILS = (
    "not_processor",
    "sells_data",
    "third_party_marketing",
    "targeted_advertising",
    "cross_service_tracking",
    "commercial_profiling",
    "wcag_none",
)


def assess(application: ProviderApplication) -> tuple[PreAssessment, list[str]]:
    dp = application.step("data-protection")
    acc = application.step("accessibility")
    sec = application.step("security")
    reasons: list[str] = []
    if dp.get("processor_role") != "yes":
        reasons.append("not_processor")
    for key in (
        "sells_data",
        "third_party_marketing",
        "targeted_advertising",
        "cross_service_tracking",
        "commercial_profiling",
    ):
        if dp.get(key) != "no":
            reasons.append(key)
    if acc.get("wcag") == "none":
        reasons.append("wcag_none")
    if dp.get("hosting") == "outside":
        reasons.append("hosting_outside")
    if "special" in _as_list(dp.get("data_categories")):
        reasons.append("special_categories")
    if acc.get("wcag") == "partial":
        reasons.append("wcag_partial")
    evidence = _as_list(sec.get("evidence"))
    if evidence and set(evidence) <= {"self_assessment"}:
        reasons.append("self_assessment_only")
    if sec.get("admin_mfa") != "yes":
        reasons.append("no_admin_mfa")
    if "mpassid" not in _as_list(sec.get("standards")):
        reasons.append("no_mpassid")
    if any(r in FAILS for r in reasons):
        return PreAssessment.FAIL, reasons
    if reasons:
        return PreAssessment.NEEDS_REVIEW, reasons
    return PreAssessment.PASS, reasons


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
