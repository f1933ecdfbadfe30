"""Forms for the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import DATE_HINT, FinnishDateField, years_between

MAX_RULES_TEXT = 200_000


class RulesDraftForm(FlaskForm):
    label = StringField(
        _l("Version label"),
        validators=[DataRequired(_l("Enter the version label.")), Length(max=20)],
        description=_l("For example 1.1."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=200)])
    body = TextAreaField(
        _l("Text of the rules (Markdown, Finnish)"),
        validators=[DataRequired(_l("Enter the text of the rules.")), Length(max=MAX_RULES_TEXT)],
        description=_l("Use headings (# Heading) for sections: people can comment per section."),
        render_kw={"rows": 20},
    )
    title_sv = StringField(_l("Title in Swedish"), validators=[Optional(), Length(max=200)])
    body_sv = TextAreaField(
        _l("Text in Swedish (optional)"), validators=[Optional(), Length(max=MAX_RULES_TEXT)], render_kw={"rows": 8}
    )
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    body_en = TextAreaField(
        _l("Text in English (optional)"), validators=[Optional(), Length(max=MAX_RULES_TEXT)], render_kw={"rows": 8}
    )
    submit = SubmitField(_l("Save draft"))

    def translations(self) -> dict[str, tuple[str, str]]:
        return {
            "sv": (self.title_sv.data or "", self.body_sv.data or ""),
            "en": (self.title_en.data or "", self.body_en.data or ""),
        }


class ConsultationForm(FlaskForm):
    closes_on = FinnishDateField(
        _l("Consultation closes on"),
        validators=[DataRequired(_l("Enter the closing date as a date, for example 2026-12-31."))],
    )
    submit = SubmitField(_l("Open for comment"))


class CommentForm(FlaskForm):
    section = SelectField(_l("Section"), validators=[Optional()])
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write your comment.")), Length(max=10_000)],
        description=_l("Comments are published with your organisation's name after the consultation closes."),
    )
    submit = SubmitField(_l("Send comment"))


class ResponseForm(FlaskForm):
    response = TextAreaField(_l("Response"), validators=[DataRequired(_l("Write the response.")), Length(max=10_000)])
    submit = SubmitField(_l("Save response"))


class AdoptForm(FlaskForm):
    decision = SelectField(
        _l("Steering group decision"),
        validators=[DataRequired(_l("Choose the steering group's decision."))],
        description=_l("Decisions of the steering group on adopting the rules, with approved minutes."),
    )
    effective_date = FinnishDateField(_l("Enters into force on"), validators=[DataRequired(DATE_HINT), years_between()])
    reacceptance_deadline = FinnishDateField(
        _l("Providers must accept by"),
        validators=[Optional(), years_between()],
        description=_l("Leave empty for 60 days after entry into force."),
    )
    submit = SubmitField(_l("Record adoption"))


class AcceptForm(FlaskForm):
    signatory_name = StringField(
        _l("Name of the signatory"),
        validators=[DataRequired(_l("Enter the signatory's name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    signatory_title = StringField(
        _l("Title of the signatory"),
        validators=[DataRequired(_l("Enter the signatory's title.")), Length(max=200)],
        render_kw={"autocomplete": "organization-title"},
    )
    authority = BooleanField(
        _l("I confirm that I have the authority to sign for the organisation."),
        validators=[DataRequired(_l("Confirm the authority to sign."))],
    )
    sha256 = HiddenField()
    submit = SubmitField(_l("Accept the rules"))
