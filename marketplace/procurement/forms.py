"""Forms of procurement: request lines and details, decisions, the provider's answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms import DATE_HINT, FinnishDateField, IdSelectField, QueryNumberField, choices
from app.params import FIRST_YEAR, LAST_YEAR

_DATE = DATE_HINT


class LineForm(FlaskForm):
    plan = SelectField(
        _l("Pricing plan"),
        coerce=int,
        validate_choice=True,
        validators=[InputRequired(message=_l("Choose a pricing plan."))],
    )
    quantity = IntegerField(
        _l("Quantity"),
        description=_l("Pupils, schools, users or pieces, as the plan counts."),
        validators=[
            InputRequired(message=_l("Enter the quantity as a whole number.")),
            NumberRange(min=1, max=10_000_000, message=_l("The quantity must be a whole number of at least 1.")),
        ],
    )
    term_start = FinnishDateField(
        _l("Contract period starts"), description=_DATE, validators=[InputRequired(message=_DATE)]
    )
    term_end = FinnishDateField(
        _l("Contract period ends"), description=_DATE, validators=[InputRequired(message=_DATE)]
    )

    def validate_term_end(self, field) -> None:
        if field.data and self.term_start.data and field.data < self.term_start.data:
            raise ValidationError(_l("The term cannot end before it starts."))


class AddServiceForm(FlaskForm):
    """On a service page: put one of its plans on the buyer's draft request."""

    service = HiddenField(validators=[DataRequired()])
    plan = HiddenField(validators=[DataRequired()])


class DetailsForm(FlaskForm):
    purpose = TextAreaField(
        _l("Purpose of the procurement"),
        validators=[Optional(), Length(max=2000)],
        description=_l("What the services are for, and for which schools."),
        render_kw={"rows": 4},
    )
    cost_centre = StringField(
        _l("Cost centre"),
        validators=[Optional(), Length(max=40)],
        description=_l("The cost centre or account that pays, for example 4100 Perusopetus."),
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=choices([("approve", _l("Approve")), ("reject", _l("Reject"))]),
        validators=[InputRequired(message=_l("Choose approve or reject."))],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when rejecting: the requester sees it."),
        render_kw={"rows": 3},
    )


class AnswerForm(FlaskForm):
    decision = RadioField(
        _l("Answer"),
        choices=choices([("accept", _l("Accept the order")), ("decline", _l("Decline the order"))]),
        validators=[InputRequired(message=_l("Choose accept or decline."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when declining: the municipality sees it."),
        render_kw={"rows": 3},
    )


class PaidForm(FlaskForm):
    note = StringField(
        _l("Payment note"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example the date and archive reference of the bank payment."),
    )


class OrderFilterForm(FlaskForm):
    class Meta:
        csrf = False

    # Read from the query string: numbers with app.params' parser, within what the columns hold.
    municipality = IdSelectField(_l("Municipality"), validators=[Optional()])
    provider = IdSelectField(_l("Provider"), validators=[Optional()])
    status = SelectField(_l("Order status"), validators=[Optional()])
    payment = SelectField(_l("Payment"), validators=[Optional()])
    year = QueryNumberField(
        _l("Year of the term"),
        validators=[Optional()],
        minimum=FIRST_YEAR,
        maximum=LAST_YEAR,
        message=_l("Enter a year such as 2026."),
    )
