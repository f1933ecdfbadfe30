"""Forms of the steering bodies."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import DATE_HINT, INVALID_CHOICES, FinnishDateField, choices, years_between
from governance.steering.models import DecisionKind, Level, MeetingStatus, Resolution, Role, TaskStatus

KIND_LABELS = {
    DecisionKind.RULES_ADOPTION: _l("Adoption of the rules"),
    DecisionKind.PROVIDER_TERMINATION: _l("Termination of a provider"),
    DecisionKind.BUDGET_MAJOR: _l("Budget above the limit"),
    DecisionKind.STRATEGY: _l("Strategy"),
    DecisionKind.LISTING_POLICY: _l("Listing policy"),
    DecisionKind.PROVIDER_SUSPENSION: _l("Suspension of a provider"),
    DecisionKind.BUDGET_MINOR: _l("Budget within the limit"),
    DecisionKind.OPERATIONAL: _l("Operational matter"),
    DecisionKind.STATEMENT: _l("Statement or recommendation"),
    DecisionKind.INFORMATION: _l("Matter for information"),
}
RESOLUTION_LABELS = {
    Resolution.APPROVED: _l("Approved as proposed"),
    Resolution.APPROVED_AMENDED: _l("Approved as amended"),
    Resolution.APPROVED_AFTER_VOTE: _l("Approved after a vote"),
    Resolution.REJECTED: _l("Rejected"),
    Resolution.TABLED: _l("Tabled"),
    Resolution.REFERRED_UP: _l("Referred up"),
    Resolution.DELEGATED_DOWN: _l("Delegated down"),
    Resolution.NOTED: _l("Noted"),
}
ROLE_LABELS = {
    Role.CHAIR: _l("Chair"),
    Role.VICE_CHAIR: _l("Vice chair"),
    Role.MEMBER: _l("Member"),
    Role.DEPUTY: _l("Personal deputy"),
    Role.SECRETARY: _l("Secretary"),
    Role.PRESENTER: _l("Presenter"),
    Role.EXPERT: _l("Expert"),
}
LEVEL_LABELS = {
    Level.STRATEGIC: _l("Strategic"),
    Level.TACTICAL: _l("Tactical"),
    Level.OPERATIONAL: _l("Operational"),
    Level.FORUM: _l("Forum"),
}
MEETING_STATUS_LABELS = {
    MeetingStatus.PLANNED: _l("Planned"),
    MeetingStatus.AGENDA_PUBLISHED: _l("Agenda published"),
    MeetingStatus.IN_SESSION: _l("In session"),
    MeetingStatus.HELD: _l("Held"),
    MeetingStatus.MINUTES_APPROVED: _l("Minutes approved"),
}
TASK_STATUS_LABELS = {
    TaskStatus.NOT_STARTED: _l("Not started"),
    TaskStatus.IN_PROGRESS: _l("In progress"),
    TaskStatus.DONE: _l("Done"),
    TaskStatus.CANCELLED: _l("Cancelled"),
}


class MeetingForm(FlaskForm):
    number = IntegerField(
        _l("Meeting number"), validators=[InputRequired(_l("Enter the number.")), NumberRange(min=1, max=999)]
    )
    starts_at = DateTimeLocalField(
        _l("Starts at"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter the date and time.")), years_between()],
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    remote_link = StringField(_l("Remote link"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Create meeting"))


class CaseForm(FlaskForm):
    title = StringField(
        _l("Title of the case"),
        validators=[DataRequired(_l("Enter the title.")), Length(max=300)],
        description=_l("Descriptive even when the case is confidential."),
    )
    confidential = BooleanField(_l("Confidential"))
    legal_basis = StringField(
        _l("Legal basis of confidentiality"),
        validators=[Optional(), Length(max=300)],
        description=_l("For example: Act on the Openness of Government Activities 24 § 1 (20)."),
    )
    submit = SubmitField(_l("Open case"))


class ItemForm(FlaskForm):
    case = SelectField(_l("Case"), validators=[DataRequired(_l("Choose the case."))])
    decision_kind = SelectField(_l("Kind of decision"), choices=choices(KIND_LABELS.items()))
    presenter = SelectField(_l("Presenter"), validators=[Optional()])
    proposal = TextAreaField(
        _l("Proposal (Markdown)"), validators=[Optional(), Length(max=50_000)], render_kw={"rows": 6}
    )
    submit = SubmitField(_l("Add to the agenda"))


class ItemEditForm(FlaskForm):
    version = HiddenField()
    decision_kind = SelectField(_l("Kind of decision"), choices=choices(KIND_LABELS.items()))
    presenter = SelectField(_l("Presenter"), validators=[Optional()])
    proposal = TextAreaField(
        _l("Proposal (Markdown)"), validators=[Optional(), Length(max=50_000)], render_kw={"rows": 8}
    )
    submit = SubmitField(_l("Save the item"))


class ConflictForm(FlaskForm):
    membership = SelectField(_l("Member"), validators=[DataRequired(_l("Choose the member."))])
    reason = TextAreaField(
        _l("Reason for the conflict of interest"), validators=[DataRequired(_l("Give the reason.")), Length(max=2000)]
    )
    submit = SubmitField(_l("Record the conflict of interest"))


class OpenVoteForm(FlaskForm):
    counter_proposal = TextAreaField(
        _l("Counter-proposal"), validators=[DataRequired(_l("Write the counter-proposal.")), Length(max=10_000)]
    )
    mover = SelectField(_l("Moved by"), validators=[DataRequired(_l("Choose who moved it."))])
    seconder = SelectField(_l("Seconded by"), validators=[DataRequired(_l("Choose who seconded it."))])
    submit = SubmitField(_l("Open the vote"))


class DecisionForm(FlaskForm):
    resolution = SelectField(_l("Resolution"), choices=choices(RESOLUTION_LABELS.items()))
    text = TextAreaField(
        _l("Decision"),
        validators=[DataRequired(_l("Write the text of the decision.")), Length(max=50_000)],
        render_kw={"rows": 5},
    )
    delegated_to = SelectField(
        _l("Delegated to"), validators=[Optional()], description=_l("Only when the case is delegated down.")
    )
    redacted_text = TextAreaField(
        _l("Text without personal data"),
        validators=[Optional(), Length(max=50_000)],
        description=_l(
            "Only when the decision names private persons: the public register "
            "shows this text once the appeal period is over."
        ),
    )
    personal_data_hidden_from = FinnishDateField(
        _l("Hide personal data from"),
        validators=[Optional()],
        description=_l("Leave empty for 30 days after the decision."),
    )
    submit = SubmitField(_l("Record the decision"))


class DissentForm(FlaskForm):
    membership = SelectField(_l("Member"), validators=[DataRequired(_l("Choose the member."))])
    text = TextAreaField(
        _l("Dissenting opinion"), validators=[DataRequired(_l("Write the dissenting opinion.")), Length(max=10_000)]
    )
    submit = SubmitField(_l("Attach the dissent"))


class AttachmentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=200)])
    file = FileField(_l("PDF file"), description=_l("PDF, at most 10 MB."))
    public = BooleanField(_l("Public"), default=True)
    submit = SubmitField(_l("Attach"))


class MinutesForm(FlaskForm):
    body = TextAreaField(
        _l("Minutes (Markdown)"),
        validators=[DataRequired(_l("The minutes cannot be empty.")), Length(max=200_000)],
        render_kw={"rows": 24},
        description=_l("The whole minutes, for the body's members and the coordinator."),
    )
    public_body = TextAreaField(
        _l("Public version (Markdown)"),
        validators=[DataRequired(_l("The public version cannot be empty.")), Length(max=200_000)],
        render_kw={"rows": 24},
        description=_l(
            "What everyone may read once the minutes are approved: confidential matters only by their "
            "title and the legal basis of their confidentiality."
        ),
    )
    submit = SubmitField(_l("Save the minutes"))


class CorrectionForm(MinutesForm):
    note = StringField(
        _l("What was corrected and why"),
        validators=[DataRequired(_l("Explain the correction in a note.")), Length(max=1000)],
    )
    submit = SubmitField(_l("Save as a corrected version"))


class CheckersForm(FlaskForm):
    first = SelectField(_l("First minute-checker"), validators=[DataRequired(_l("Choose a minute-checker."))])
    second = SelectField(_l("Second minute-checker"), validators=[DataRequired(_l("Choose a minute-checker."))])
    submit = SubmitField(_l("Choose the minute-checkers"))


class ApproveByMeetingForm(FlaskForm):
    meeting = SelectField(_l("Approving meeting"), validators=[DataRequired(_l("Choose the meeting."))])
    submit = SubmitField(_l("Record approval by the meeting"))


class TaskForm(FlaskForm):
    description = TextAreaField(_l("Task"), validators=[DataRequired(_l("Describe the task.")), Length(max=5000)])
    owner_body = SelectField(_l("Responsible body"), validators=[Optional()])
    owner_user = SelectField(_l("Responsible person"), validators=[Optional()])
    due_on = FinnishDateField(_l("Due date"), validators=[DataRequired(DATE_HINT)])
    submit = SubmitField(_l("Add the task"))


class TaskUpdateForm(FlaskForm):
    status = RadioField(
        _l("Status"), choices=choices(TASK_STATUS_LABELS.items()), validators=[InputRequired(_l("Choose the status."))]
    )
    note = TextAreaField(_l("Progress note"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Update the task"))


class MembershipForm(FlaskForm):
    email = StringField(
        _l("E-mail address of the person"), validators=[DataRequired(_l("Enter the e-mail address.")), Length(max=254)]
    )
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()))
    deputy_of = SelectField(_l("Personal deputy of"), validators=[Optional()])
    organisation = SelectField(_l("Represents"), validators=[Optional()])
    voting = BooleanField(_l("Has the right to vote"), default=True)
    term_start = FinnishDateField(_l("Term starts"), validators=[DataRequired(DATE_HINT)])
    term_end = FinnishDateField(_l("Term ends"), validators=[Optional()])
    submit = SubmitField(_l("Add the member"))


class BodyForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=12)],
        description=_l("For example OR, JT, T-03 or F-02."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    level = SelectField(_l("Level"), choices=choices(LEVEL_LABELS.items()))
    parent = SelectField(_l("Refers up to"), validators=[Optional()])
    mandate = SelectMultipleField(
        _l("May decide"),
        choices=choices(KIND_LABELS.items()),
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        invalid_choice_message=INVALID_CHOICES,
    )
    submit = SubmitField(_l("Create the body"))
