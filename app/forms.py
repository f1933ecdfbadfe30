"""Forms of the core: accounts, organisations, administration."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from app.params import parse_int
from app.security import MAX_ID
from app.validators import is_valid_business_id, is_valid_municipality_code


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


LANGUAGE_CHOICES = choices([("fi", "suomi"), ("sv", "svenska"), ("en", "English")])
#: For fields of several choices: WTForms' own message for values not offered has no Finnish translation.
INVALID_CHOICES = _l("Choose only among the options shown.")


def years_between(first: int = 2000, last: int = 2100):
    """A date or time in the years a person can mean: 0001-01-01 and 9999-12-31 are slips of the keyboard,
    and adding days to them or moving them between time zones overflows (a 500)."""
    message = _l("Enter a date between the years %(first)d and %(last)d.", first=first, last=last)

    def check(form, field) -> None:
        if field.data is not None and not first <= field.data.year <= last:
            raise ValidationError(message)

    return check


DATE_HINT = _l("Enter a date as day.month.year, for example 1.8.2026.")


class FinnishDateField(DateField):
    """Every date field of the app: a date as Finns write it (1.8.2026, also 01.08.2026), or in ISO form
    (2026-08-01), and shown back the Finnish way on every page. A text input: a browser's date input
    shows and sends its own format, whatever the hint says, and refuses 1.8.2026."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%d.%m.%Y", "%Y-%m-%d"])
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([v.strip() for v in valuelist])
        except ValueError as exc:
            raise ValueError(str(DATE_HINT)) from exc

    def _value(self):
        if self.data:
            return f"{self.data.day}.{self.data.month}.{self.data.year}"
        return self.raw_data[0] if self.raw_data else ""


def business_id_check(form, field) -> None:
    if field.data and not is_valid_business_id(field.data):
        raise ValidationError(_l("Enter a valid business ID (Y-tunnus) in the form 1234567-8. Check the last digit."))


def municipality_code_check(form, field) -> None:
    if field.data and not is_valid_municipality_code(field.data):
        raise ValidationError(_l("A municipality code has exactly three digits, for example 092."))


def _email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter an e-mail address in the form name@example.fi.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class RegisterForm(FlaskForm):
    email = _email_field()
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=200)],
        description=_l("At least 12 characters. A few unrelated words are easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", _l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create account"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=200)],
        description=_l("At least 12 characters. A few unrelated words are easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", _l("The passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save new password"))


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class LanguageForm(FlaskForm):
    """The header switcher; each button submits its own language."""


class StartProviderForm(FlaskForm):
    name = StringField(
        _l("Legal name of the company"), validators=[DataRequired(_l("Enter the company's name.")), Length(max=200)]
    )
    business_id = StringField(
        _l("Business ID (Y-tunnus)"),
        validators=[DataRequired(_l("Enter the business ID.")), business_id_check],
        description=_l("For example 1234567-8."),
    )
    submit = SubmitField(_l("Start a provider organisation"))


class JoinMunicipalityForm(FlaskForm):
    organisation = SelectField(
        _l("Municipality"), coerce=int, validators=[DataRequired(_l("Choose the municipality."))]
    )
    message = TextAreaField(
        _l("Message to the municipality's admin"),
        validators=[Optional(), Length(max=2000)],
        description=_l("For example your school and your role there."),
    )
    submit = SubmitField(_l("Send request"))


class InviteForm(FlaskForm):
    email = _email_field(_l("E-mail address of the person to invite"))
    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Send invitation"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Change role"))


class DecideJoinRequestForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=choices([("accept", _l("Accept")), ("decline", _l("Decline"))]),
        validators=[DataRequired(_l("Choose accept or decline."))],
    )
    role = SelectField(_l("Role if accepted"))
    note = TextAreaField(_l("Note to the person"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save decision"))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class ConfirmEmailForm(FlaskForm):
    """The button behind the mailed sign-up link (a link alone must not sign in: mail scanners open links)."""

    submit = SubmitField(_l("Confirm and sign in"))


class ResendConfirmationForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Send the link again"))


class QueryNumberField(IntegerField):
    """A whole number in a GET filter form, read with app.params.parse_int (the digits 0-9 alone, from
    `minimum` to `maximum`, spaces around them allowed: a person types it). Anything else keeps what was
    typed and shows `message`."""

    def __init__(self, label=None, validators=None, *, minimum: int = 0, maximum: int = MAX_ID, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.message = message or _l(
            "Enter a whole number from %(minimum)d to %(maximum)d.", minimum=minimum, maximum=maximum
        )

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_int(valuelist[0], self.minimum, self.maximum, spaces=True)
        if self.data is None:
            raise ValueError(str(self.message))


class IdSelectField(SelectField):
    """A choice of a row by its id in a GET filter form (0 for all), read with app.params.parse_int: a
    value that is no id (past what an INTEGER column holds, or no number at all) is refused with the app's
    own message, never handed to the database."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", _id_or_zero)
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist) -> None:
        if not valuelist or valuelist[0] == "":
            return
        try:
            self.data = _id_or_zero(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(str(INVALID_CHOICES)) from None


def _id_or_zero(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = parse_int(str(value), 0, MAX_ID)
    if number is None:
        raise ValueError("not an id")
    return number


class PupilCountField(IntegerField):
    """A whole number of pupils; spaces between thousands are allowed ("45 000")."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        value = valuelist[0].replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        if not value:
            self.data = None
            return
        if not re.fullmatch(r"-?[0-9]{1,10}", value):
            self.data = None
            raise ValueError(_l("Enter the number of pupils as a whole number, for example 45000."))
        self.data = int(value)


def _pupil_count_field() -> PupilCountField:
    return PupilCountField(
        _l("Pupils (basic and upper secondary education)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=2_000_000, message=_l("The number of pupils must be between 0 and 2 000 000.")),
        ],
        description=_l(
            "Pupils in the municipality's basic education and upper secondary schools, for the "
            "dashboards' figures per pupil. Leave empty if not known."
        ),
        render_kw={"inputmode": "numeric"},
    )


class PupilCountForm(FlaskForm):
    pupil_count = _pupil_count_field()
    submit = SubmitField(_l("Save the number of pupils"))


class MunicipalityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    municipality_code = StringField(
        _l("Municipality code"),
        validators=[DataRequired(_l("Enter the municipality code.")), municipality_code_check],
        description=_l("Three digits, for example 092 for Vantaa."),
    )
    business_id = StringField(_l("Business ID (Y-tunnus)"), validators=[Optional(), business_id_check])
    pupil_count = _pupil_count_field()
    submit = SubmitField(_l("Create municipality"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = StringField(_l("Action"), validators=[Optional(), Length(max=80)])
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=80)])
    actor = StringField(_l("Actor e-mail"), validators=[Optional(), Length(max=254)])
