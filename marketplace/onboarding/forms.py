"""Forms of the joining application (one per wizard step) and of its review."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import DATE_HINT, INVALID_CHOICES, FinnishDateField, business_id_check, choices
from app.validators import normalise_business_id

YES_NO = choices([("yes", _l("Yes")), ("no", _l("No"))])
TURNOVER_CLASSES = choices(
    [
        ("under_2m", _l("Under 2 million euros")),
        ("2m_10m", _l("2–10 million euros")),
        ("10m_50m", _l("10–50 million euros")),
        ("over_50m", _l("Over 50 million euros")),
    ]
)
DATA_CATEGORIES = choices(
    [
        ("contact", _l("Contact details")),
        ("learning", _l("Learning data and pupils' work")),
        ("assessment", _l("Assessment data")),
        ("usage", _l("Usage logs")),
        ("special", _l("Special categories (for example health or support for learning)")),
    ]
)
EVIDENCE = choices(
    [
        ("iso27001", _l("ISO/IEC 27001 certificate")),
        ("external_audit", _l("External security audit")),
        ("self_assessment", _l("Self-assessment")),
    ]
)
STANDARDS = choices(
    [
        ("mpassid", "MPASSid"),
        ("lti13", "LTI 1.3"),
        ("oneroster12", "OneRoster 1.2"),
        ("common_cartridge", "Common Cartridge"),
        ("qti", "QTI"),
        ("xapi", "xAPI"),
        ("caliper", "Caliper"),
    ]
)
WCAG_LEVELS = choices(
    [
        ("full", _l("Fully conforms")),
        ("partial", _l("Partially conforms")),
        ("none", _l("Does not conform")),
    ]
)
HOSTING = choices([("eu_eea", _l("In the EU or the EEA")), ("outside", _l("Also outside the EU and the EEA"))])

PHONE = Regexp(r"^\+?[0-9 ()\-]{6,20}$", message=_l("Enter a phone number, for example +358 40 123 4567."))
POSTCODE = Regexp(r"^\d{5}$", message=_l("A postcode has five digits, for example 00100."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICES)
        super().__init__(*args, **kwargs)


def _url(label):
    return URLField(
        label,
        validators=[
            DataRequired(_l("Enter the address.")),
            Length(max=500),
            URL(require_tld=True, message=_l("Enter a full web address starting with https://.")),
        ],
    )


def _email(label):
    return EmailField(
        label,
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Length(max=254),
            Email(_l("Enter an e-mail address in the form name@example.fi.")),
        ],
    )


class StepForm(FlaskForm):
    """A wizard step: saved as typed, whether or not it validates."""

    submit = SubmitField(_l("Save and continue"))


class OrganisationStep(StepForm):
    legal_name = StringField(_l("Legal name"), validators=[DataRequired(_l("Enter the legal name.")), Length(max=200)])
    trade_name = StringField(_l("Trade name"), validators=[Optional(), Length(max=200)])
    business_id = StringField(
        _l("Business ID (Y-tunnus)"),
        validators=[DataRequired(_l("Enter the business ID.")), business_id_check],
        description=_l("For example 1234567-8. The EU VAT number is formed from it."),
    )
    street_address = StringField(
        _l("Street address"),
        validators=[DataRequired(_l("Enter the street address.")), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[DataRequired(_l("Enter the postcode.")), POSTCODE],
        render_kw={"autocomplete": "postal-code"},
    )
    city = StringField(
        _l("City"),
        validators=[DataRequired(_l("Enter the city.")), Length(max=100)],
        render_kw={"autocomplete": "address-level2"},
    )
    website = _url(_l("Website"))
    einvoice_address = StringField(
        _l("E-invoicing address (OVT)"),
        validators=[DataRequired(_l("Enter the e-invoicing address.")), Length(max=17)],
        description=_l("0037, the eight digits of the business ID, and an optional suffix of up to five characters."),
    )
    einvoice_operator = StringField(
        _l("E-invoicing operator code"), validators=[DataRequired(_l("Enter the operator code.")), Length(max=35)]
    )
    turnover_class = SelectField(
        _l("Turnover"), choices=TURNOVER_CLASSES, validators=[DataRequired(_l("Choose the turnover class."))]
    )

    def validate_einvoice_address(self, field) -> None:
        value = (field.data or "").replace(" ", "")
        digits = normalise_business_id(self.business_id.data or "").replace("-", "")
        if not re.fullmatch(r"0037\d{8}[0-9A-Za-z]{0,5}", value):
            raise ValidationError(
                _l("An OVT address is 0037, eight digits and an optional suffix, for example 003708313124.")
            )
        if len(digits) == 8 and value[4:12] != digits:
            raise ValidationError(_l("The eight digits after 0037 must be those of the business ID."))


CONTACT_ROLES = [
    ("signatory", _l("Signatory")),
    ("main", _l("Main contact")),
    ("technical", _l("Technical contact")),
    ("security", _l("Security incidents")),
    ("support", _l("Support")),
    ("dpo", _l("Data protection officer")),
]


class ContactsStep(StepForm):
    signatory_name = StringField(
        _l("Signatory: name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)]
    )
    signatory_email = _email(_l("Signatory: e-mail"))
    signatory_phone = StringField(
        _l("Signatory: phone"), validators=[DataRequired(_l("Enter the phone number.")), PHONE]
    )
    main_name = StringField(_l("Main contact: name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    main_email = _email(_l("Main contact: e-mail"))
    main_phone = StringField(_l("Main contact: phone"), validators=[DataRequired(_l("Enter the phone number.")), PHONE])
    technical_name = StringField(
        _l("Technical contact: name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)]
    )
    technical_email = _email(_l("Technical contact: e-mail"))
    technical_phone = StringField(
        _l("Technical contact: phone"), validators=[DataRequired(_l("Enter the phone number.")), PHONE]
    )
    security_name = StringField(
        _l("Security incidents: name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)]
    )
    security_email = _email(_l("Security incidents: e-mail"))
    security_phone = StringField(
        _l("Security incidents: phone"), validators=[DataRequired(_l("Enter the phone number.")), PHONE]
    )
    support_name = StringField(
        _l("Support: name of the service desk"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)]
    )
    support_email = EmailField(
        _l("Support: shared mailbox"),
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Length(max=254),
            Email(_l("Enter an e-mail address in the form name@example.fi.")),
        ],
        description=_l("A shared mailbox such as tuki@yritys.fi, not a personal address."),
    )
    support_phone = StringField(_l("Support: phone"), validators=[DataRequired(_l("Enter the phone number.")), PHONE])
    dpo_name = StringField(
        _l("Data protection officer: name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)]
    )
    dpo_email = _email(_l("Data protection officer: e-mail"))
    dpo_phone = StringField(
        _l("Data protection officer: phone"), validators=[DataRequired(_l("Enter the phone number.")), PHONE]
    )

    def validate_support_email(self, field) -> None:
        address = (field.data or "").strip().lower()
        personal = {
            (getattr(self, f"{role}_email").data or "").strip().lower()
            for role, _label in CONTACT_ROLES
            if role != "support"
        }
        local = _fold(address.split("@")[0])
        names = set()
        for role, _label in CONTACT_ROLES:
            if role == "support":  # the desk's own name ("Tuki", "Asiakastuki") is no person's name
                continue
            for part in re.split(r"[\s\-]+", _fold(getattr(self, f"{role}_name").data or "")):
                if len(part) >= 3:
                    names.add(part)
        if address in personal or any(name in local for name in names):
            raise ValidationError(_l("Give a shared support mailbox, not a person's own address."))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


class DataProtectionStep(StepForm):
    processor_role = RadioField(
        _l("Do you act as a processor of personal data, with the municipality as the controller?"),
        choices=YES_NO,
        validators=[InputRequired(_l("Answer yes or no."))],
    )
    hosting = RadioField(
        _l("Where is the data hosted?"),
        choices=HOSTING,
        validators=[InputRequired(_l("Choose where the data is hosted."))],
    )
    safeguard = StringField(
        _l("Safeguard for transfers outside the EU and the EEA"),
        validators=[Length(max=300)],
        description=_l("For example the standard contractual clauses. Required when data leaves the EU and the EEA."),
    )
    sub_processors = TextAreaField(
        _l("Sub-processors"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line: name, service and country."),
    )
    privacy_notice_url = _url(_l("Privacy notice"))
    sells_data = RadioField(
        _l("Do you sell or hand over pupils' data to others?"),
        choices=YES_NO,
        validators=[InputRequired(_l("Answer yes or no."))],
    )
    third_party_marketing = RadioField(
        _l("Do you use the data for marketing by third parties?"),
        choices=YES_NO,
        validators=[InputRequired(_l("Answer yes or no."))],
    )
    targeted_advertising = RadioField(
        _l("Do you show targeted advertising?"), choices=YES_NO, validators=[InputRequired(_l("Answer yes or no."))]
    )
    cross_service_tracking = RadioField(
        _l("Do you track users across services?"), choices=YES_NO, validators=[InputRequired(_l("Answer yes or no."))]
    )
    commercial_profiling = RadioField(
        _l("Do you profile pupils for commercial purposes?"),
        choices=YES_NO,
        validators=[InputRequired(_l("Answer yes or no."))],
    )
    data_categories = MultiCheckboxField(
        _l("Personal data processed"), choices=DATA_CATEGORIES, validators=[Optional()]
    )

    def validate_safeguard(self, field) -> None:
        if self.hosting.data == "outside" and not (field.data or "").strip():
            raise ValidationError(_l("Name the safeguard for transfers outside the EU and the EEA."))


class AccessibilityStep(StepForm):
    wcag = RadioField(
        _l("Conformance with WCAG 2.1 level AA"),
        choices=WCAG_LEVELS,
        validators=[InputRequired(_l("Choose the level of conformance."))],
    )
    statement_url = _url(_l("Accessibility statement"))
    evaluated_on = FinnishDateField(_l("Date of the last evaluation"), validators=[DataRequired(DATE_HINT)])


class SecurityStep(StepForm):
    evidence = MultiCheckboxField(
        _l("Security evidence"),
        choices=EVIDENCE,
        validators=[DataRequired(_l("Choose at least one kind of evidence."))],
    )
    admin_mfa = RadioField(
        _l("Do administrators sign in with multi-factor authentication?"),
        choices=YES_NO,
        validators=[InputRequired(_l("Answer yes or no."))],
    )
    standards = MultiCheckboxField(_l("Standards supported"), choices=STANDARDS, validators=[Optional()])
    standard_versions = StringField(
        _l("Versions of the standards"),
        validators=[Optional(), Length(max=300)],
        description=_l("For example QTI 3.0, xAPI 1.0.3."),
    )


class AttachmentsStep(StepForm):
    dpa = FileField(_l("Signed data processing agreement (PDF)"), description=_l("PDF, at most 10 MB."))
    trade_register = FileField(_l("Trade register extract (PDF)"), description=_l("PDF, at most 10 MB."))
    submit = SubmitField(_l("Upload and continue"))


class RulesStep(StepForm):
    signatory_name = StringField(
        _l("Name of the signatory"), validators=[DataRequired(_l("Enter the signatory's name.")), Length(max=200)]
    )
    signatory_title = StringField(
        _l("Title of the signatory"), validators=[DataRequired(_l("Enter the signatory's title.")), Length(max=200)]
    )
    authority = BooleanField(
        _l("I confirm that I have the authority to sign for the organisation."),
        validators=[DataRequired(_l("Confirm the authority to sign."))],
    )
    sha256 = HiddenField()


# --- review --------------------------------------------------------------------------------------


class ReviewCommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(_l("Write the comment.")), Length(max=10_000)])
    visible = BooleanField(_l("Show this comment to the applicant"))
    submit = SubmitField(_l("Add comment"))


class ReviewDecisionForm(FlaskForm):
    action = RadioField(
        _l("Action"),
        choices=choices(
            [
                ("start", _l("Start review")),
                ("request_changes", _l("Request changes")),
                ("approve", _l("Approve")),
                ("reject", _l("Reject")),
            ]
        ),
        validators=[InputRequired(_l("Choose an action."))],
    )
    message = TextAreaField(
        _l("Message to the applicant"),
        validators=[Optional(), Length(max=10_000)],
        description=_l("Required when you request changes or reject."),
    )
    submit = SubmitField(_l("Save"))


class ProviderStatusForm(FlaskForm):
    status = SelectField(
        _l("New status"),
        choices=choices(
            [
                ("suspended", _l("Suspended")),
                ("terminated", _l("Terminated")),
                ("active", _l("Active (reinstated)")),
            ]
        ),
        validators=[DataRequired(_l("Choose the new status."))],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=5000)])
    decision = SelectField(
        _l("Decision"),
        validators=[Optional()],
        description=_l(
            "The decision (with approved minutes) that suspends or terminates the "
            "provider. Not needed for reinstatement."
        ),
    )
    submit = SubmitField(_l("Change status"))
