"""Forms for listings, pricing plans, screenshots and the review."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DecimalField, IntegerField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from app.forms import choices
from marketplace.catalogue import vocab
from marketplace.onboarding.forms import MultiCheckboxField

_URL = URL(message=_l("Enter a full web address beginning with https://."))


def _https(form, field) -> None:
    if field.data and not field.data.lower().startswith("https://"):
        raise ValidationError(_l("Enter a full web address beginning with https://."))


class EuroDecimalField(DecimalField):
    """A decimal number as Finns type it: a decimal comma, spaces between thousands. A text
    input (with a decimal keypad on phones): a browser's number input refuses the comma."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].replace(",", ".").replace(" ", "").replace("\u00a0", "").replace("€", "")]
        try:
            super().process_formdata(valuelist)
            if self.data is not None and not self.data.is_finite():  # NaN and Infinity parse, but are no price
                self.data = None
                raise ValueError
        except ValueError as exc:
            raise ValueError(_l("Enter a number, for example 12,50.")) from exc


def _coded(code: str, label) -> str:
    """ "MA – Matematiikka": the code with its label in the reader's language (evaluated when shown)."""
    return f"{code} – {label}"


class ListingForm(FlaskForm):
    name = StringField(
        _l("Name of the service"), validators=[DataRequired(_l("Give the service a name.")), Length(max=120)]
    )
    summary = TextAreaField(
        _l("Summary in Finnish"),
        validators=[DataRequired(_l("Write a short summary in Finnish.")), Length(max=300)],
        description=_l("One or two sentences shown in search results. At most 300 characters."),
        render_kw={"rows": 2},
    )
    summary_sv = TextAreaField(
        _l("Summary in Swedish"), validators=[Optional(), Length(max=300)], render_kw={"rows": 2, "lang": "sv"}
    )
    summary_en = TextAreaField(
        _l("Summary in English"), validators=[Optional(), Length(max=300)], render_kw={"rows": 2, "lang": "en"}
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown: headings with ##, lists with -, links. Images and HTML are removed."),
        render_kw={"rows": 12},
    )
    category = SelectField(
        _l("Category"), choices=choices(vocab.CATEGORIES.items()), validators=[InputRequired(_l("Choose a category."))]
    )
    levels = MultiCheckboxField(
        _l("School levels"),
        choices=choices(vocab.LEVELS.items()),
        validators=[DataRequired(_l("Choose at least one school level."))],
    )
    roles = MultiCheckboxField(
        _l("User roles"),
        choices=choices(vocab.ROLES.items()),
        validators=[DataRequired(_l("Choose at least one user role."))],
    )
    subjects = MultiCheckboxField(
        _l("Subjects"),
        choices=choices((code, LazyString(_coded, code, label)) for code, label in vocab.SUBJECTS.items()),
        validators=[Optional()],
        description=_l("The national subject codes. Leave empty for tools that are not about a subject."),
    )
    languages = MultiCheckboxField(
        _l("Languages of the service"),
        choices=choices(vocab.LANGUAGES.items()),
        validators=[DataRequired(_l("Choose at least one language."))],
    )
    standards = MultiCheckboxField(
        _l("Standards and integrations"), choices=choices(vocab.STANDARDS.items()), validators=[Optional()]
    )
    accessibility = RadioField(
        _l("Accessibility conformance"),
        choices=choices(vocab.ACCESSIBILITY.items()),
        validators=[InputRequired(_l("Tell how the service conforms to WCAG 2.1 AA."))],
    )
    accessibility_statement_url = URLField(
        _l("Accessibility statement (address)"), validators=[Optional(), _URL, _https, Length(max=300)]
    )
    hosting = SelectField(
        _l("Where the data is stored"),
        choices=choices(vocab.HOSTING.items()),
        validators=[InputRequired(_l("Tell where the data is stored."))],
    )
    personal_data = RadioField(
        _l("Does the service process personal data?"),
        choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired(_l("Tell whether the service processes personal data."))],
    )
    support_url = URLField(_l("Support (address)"), validators=[Optional(), _URL, _https, Length(max=300)])
    privacy_url = URLField(_l("Privacy notice (address)"), validators=[Optional(), _URL, _https, Length(max=300)])

    def validate_accessibility_statement_url(self, field) -> None:
        if self.accessibility.data in ("full", "partial") and not field.data:
            raise ValidationError(_l("Give the address of the accessibility statement."))

    def validate_privacy_url(self, field) -> None:
        if self.personal_data.data == "yes" and not field.data:
            raise ValidationError(_l("A service that processes personal data needs a link to its privacy notice."))

    def data_for_service(self) -> dict[str, Any]:
        return {
            "name": self.name.data.strip(),
            "summary": self.summary.data.strip(),
            "summary_sv": (self.summary_sv.data or "").strip(),
            "summary_en": (self.summary_en.data or "").strip(),
            "description": (self.description.data or "").strip(),
            "category": self.category.data,
            "levels": list(self.levels.data),
            "roles": list(self.roles.data),
            "subjects": list(self.subjects.data),
            "languages": list(self.languages.data),
            "standards": list(self.standards.data or []),
            "accessibility": self.accessibility.data,
            "accessibility_statement_url": (self.accessibility_statement_url.data or "").strip(),
            "hosting": self.hosting.data,
            "personal_data": self.personal_data.data == "yes",
            "support_url": (self.support_url.data or "").strip(),
            "privacy_url": (self.privacy_url.data or "").strip(),
        }

    def fill_from(self, service) -> None:
        for name in (
            "name",
            "summary",
            "summary_sv",
            "summary_en",
            "description",
            "category",
            "levels",
            "roles",
            "subjects",
            "languages",
            "standards",
            "accessibility",
            "accessibility_statement_url",
            "hosting",
            "support_url",
            "privacy_url",
        ):
            getattr(self, name).data = getattr(service, name)
        self.personal_data.data = "yes" if service.personal_data else "no"


class PlanForm(FlaskForm):
    name = StringField(_l("Name of the plan"), validators=[DataRequired(_l("Give the plan a name.")), Length(max=120)])
    model = SelectField(
        _l("Price model"),
        choices=choices(vocab.PRICE_MODELS.items()),
        validators=[InputRequired(_l("Choose a price model."))],
    )
    unit_price = EuroDecimalField(
        _l("Unit price in euros, excluding VAT"),
        places=2,
        validators=[
            InputRequired(_l("Enter the unit price in euros, for example 12,50. Enter 0 for a free plan.")),
            NumberRange(min=0, max=10_000_000, message=_l("The price must be between 0 and 10 000 000 euros.")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    vat_rate = EuroDecimalField(
        _l("VAT rate (%)"),
        places=1,
        default=Decimal("25.5"),
        validators=[
            InputRequired(_l("Enter the VAT rate, for example 25,5.")),
            NumberRange(min=0, max=100, message=_l("The VAT rate must be between 0 and 100 per cent.")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    min_quantity = IntegerField(
        _l("Minimum quantity"),
        default=1,
        validators=[
            InputRequired(_l("Enter the minimum quantity as a whole number.")),
            NumberRange(min=1, max=10_000_000, message=_l("The minimum quantity must be at least 1.")),
        ],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3})

    def validate_vat_rate(self, field) -> None:
        if field.errors:  # out of range already: quantize() fails on a number as large as 1e30
            return
        if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
            raise ValidationError(_l("Give the VAT rate with at most two decimals."))

    def validate_unit_price(self, field) -> None:
        if field.data is None or field.errors:
            return
        if field.data != field.data.quantize(Decimal("0.01")):
            raise ValidationError(_l("Give the price with at most two decimals (whole cents)."))
        if self.model.data != "free" and field.data == 0:
            raise ValidationError(_l("A plan that is not free needs a price above zero."))

    def data_for_plan(self) -> dict[str, Any]:
        return {
            "name": self.name.data.strip(),
            "model": self.model.data,
            "unit_price_cents": 0 if self.model.data == "free" else int(self.unit_price.data * 100),
            "vat_rate_bp": int(self.vat_rate.data * 100),
            "min_quantity": self.min_quantity.data,
            "notes": (self.notes.data or "").strip(),
        }

    def fill_from(self, plan) -> None:
        self.name.data = plan.name
        self.model.data = plan.model
        self.unit_price.data = Decimal(plan.unit_price_cents) / 100
        self.vat_rate.data = Decimal(plan.vat_rate_bp) / 100
        self.min_quantity.data = plan.min_quantity
        self.notes.data = plan.notes


class ScreenshotForm(FlaskForm):
    image = FileField(_l("Screenshot (PNG or JPEG, at most 2 MB)"))
    alt_text = StringField(
        _l("Text alternative"),
        validators=[
            DataRequired(_l("Describe what the screenshot shows, for people who cannot see it.")),
            Length(max=300),
        ],
        description=_l("What the screenshot shows, for screen reader users."),
    )


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        _l("What should the provider change?"),
        validators=[DataRequired(_l("Tell the provider what to change.")), Length(max=5000)],
        render_kw={"rows": 5},
    )


class PublishForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment to the provider (optional)"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
