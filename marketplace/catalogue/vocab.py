"""Controlled vocabularies of the catalogue. Codes are stored; labels are translated.

Order matters: it is the order in which values are shown in forms and facets."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class PriceModel(enum.StrEnum):
    PER_PUPIL_YEAR = "per_pupil_year"
    PER_SCHOOL_YEAR = "per_school_year"
    PER_MUNICIPALITY_YEAR = "per_municipality_year"
    PER_USER_MONTH = "per_user_month"
    ONE_OFF = "one_off"
    FREE = "free"


STATUS_LABELS = {
    ListingStatus.DRAFT: _l("Draft"),
    ListingStatus.IN_REVIEW: _l("In review"),
    ListingStatus.PUBLISHED: _l("Published"),
    ListingStatus.RETURNED: _l("Returned for changes"),
    ListingStatus.WITHDRAWN: _l("Withdrawn"),
}

CATEGORIES = {
    "learning_materials": _l("Learning materials"),
    "assessment": _l("Assessment"),
    "learning_environment": _l("Learning environment"),
    "guardian_communication": _l("Communication with guardians"),
    "wellbeing": _l("Wellbeing"),
    "knowledge_management": _l("Knowledge-based management"),
    "administration": _l("Administration"),
}

LEVELS = {
    "pre_primary": _l("Pre-primary education"),
    "grades_1_6": _l("Grades 1–6"),
    "grades_7_9": _l("Grades 7–9"),
    "upper_secondary": _l("Upper secondary school"),
}

ROLES = {
    "learner": _l("Learner"),
    "teacher": _l("Teacher"),
    "principal": _l("Principal"),
    "guardian": _l("Guardian"),
    "administration": _l("Administration"),
    "school_secretary": _l("School secretary"),
}

#: National subject codes of the core curricula (basic education and upper secondary).
SUBJECTS = {
    "AI": _l("Mother tongue and literature"),
    "S2": _l("Finnish as a second language"),
    "A1": _l("A1 language"),
    "A2": _l("A2 language"),
    "B1": _l("B1 language (second national language)"),
    "B2": _l("B2 language"),
    "MA": _l("Mathematics"),
    "YM": _l("Environmental studies"),
    "BI": _l("Biology"),
    "GE": _l("Geography"),
    "FY": _l("Physics"),
    "KE": _l("Chemistry"),
    "TE": _l("Health education"),
    "UE": _l("Religion"),
    "ET": _l("Ethics"),
    "HI": _l("History"),
    "YH": _l("Social studies"),
    "MU": _l("Music"),
    "KU": _l("Visual arts"),
    "KS": _l("Crafts"),
    "LI": _l("Physical education"),
    "KO": _l("Home economics"),
    "OP": _l("Guidance counselling"),
    "FI": _l("Philosophy"),
    "PS": _l("Psychology"),
}

LANGUAGES = {
    "fi": _l("Finnish"),
    "sv": _l("Swedish"),
    "en": _l("English"),
    "se": _l("Northern Sámi"),
}

STANDARDS = {
    "mpassid": "MPASSid",
    "lti13": "LTI 1.3",
    "oneroster12": "OneRoster 1.2",
    "qti30": "QTI 3.0",
    "xapi": "xAPI",
    "saml2": "SAML 2.0",
    "oidc": "OpenID Connect",
    "wilma": _l("Wilma integration"),
}

ACCESSIBILITY = {
    "full": _l("Meets WCAG 2.1 AA fully"),
    "partial": _l("Meets WCAG 2.1 AA partially"),
    "none": _l("Does not meet WCAG 2.1 AA"),
}

HOSTING = {
    "finland": _l("In Finland"),
    "eu_eea": _l("In the EU/EEA"),
    "outside_eea": _l("Outside the EU/EEA"),
}

PERSONAL_DATA = {
    "yes": _l("Processes personal data"),
    "no": _l("No personal data"),
}

PRICE_MODELS = {
    PriceModel.PER_PUPIL_YEAR: _l("Per pupil per year"),
    PriceModel.PER_SCHOOL_YEAR: _l("Per school per year"),
    PriceModel.PER_MUNICIPALITY_YEAR: _l("Per municipality per year"),
    PriceModel.PER_USER_MONTH: _l("Per user per month"),
    PriceModel.ONE_OFF: _l("One-off"),
    PriceModel.FREE: _l("Free"),
}

#: Short unit suffixes for prices ("€ / pupil / year").
PRICE_UNITS = {
    "per_pupil_year": _l("per pupil per year"),
    "per_school_year": _l("per school per year"),
    "per_municipality_year": _l("per municipality per year"),
    "per_user_month": _l("per user per month"),
    "one_off": _l("one-off"),
    "free": _l("free of charge"),
}

#: Facets of the catalogue, in display order: (parameter name, label, vocabulary).
FACETS: dict[str, tuple] = {
    "category": (_l("Category"), CATEGORIES),
    "level": (_l("School level"), LEVELS),
    "role": (_l("User role"), ROLES),
    "subject": (_l("Subject"), SUBJECTS),
    "language": (_l("Language"), LANGUAGES),
    "standard": (_l("Standards and integrations"), STANDARDS),
    "accessibility": (_l("Accessibility"), ACCESSIBILITY),
    "hosting": (_l("Data location"), HOSTING),
    "personal_data": (_l("Personal data"), PERSONAL_DATA),
    "model": (_l("Price model"), PRICE_MODELS),
}

DEFAULT_VAT_BASIS_POINTS = 2550  # 25.5 %, the general rate since 2024-09-01

FIELD_LABELS = {
    "name": _l("Name of the service"),
    "summary": _l("Summary in Finnish"),
    "summary_sv": _l("Summary in Swedish"),
    "summary_en": _l("Summary in English"),
    "description": _l("Description"),
    "category": _l("Category"),
    "levels": _l("School levels"),
    "roles": _l("User roles"),
    "subjects": _l("Subjects"),
    "languages": _l("Languages of the service"),
    "standards": _l("Standards and integrations"),
    "accessibility": _l("Accessibility conformance"),
    "accessibility_statement_url": _l("Accessibility statement (address)"),
    "hosting": _l("Where the data is stored"),
    "personal_data": _l("Does the service process personal data?"),
    "support_url": _l("Support (address)"),
    "privacy_url": _l("Privacy notice (address)"),
    "plans": _l("Pricing plans"),
    "screenshots": _l("Screenshots"),
}

EVENT_LABELS = {
    "submitted": _l("submitted for review"),
    "published": _l("published"),
    "returned": _l("returned for changes"),
    "withdrawn": _l("withdrawn"),
}
