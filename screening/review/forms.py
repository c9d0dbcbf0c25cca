"""Forms of the case page (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..models.reviews import REASON_LABELS

MAX_TEXT = 10_000


class ClaimForm(FlaskForm):
    """Take the case yourself."""


class AssignForm(FlaskForm):
    assignee = SelectField("Assign to", coerce=int, validators=[DataRequired(message="Choose a liaison.")])


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Internal note",
        validators=[
            DataRequired(message="Write the note first."),
            Length(max=MAX_TEXT, message="At most 10,000 characters."),
        ],
    )


class DecisionForm(FlaskForm):
    reason_code = SelectField(
        "Decision",
        choices=[SelectChoice("", "Choose a decision…")]
        + [SelectChoice(code, label) for code, label in REASON_LABELS.items()],
        validators=[DataRequired(message="Choose a decision.")],
    )
    explanation = TextAreaField(
        "Explanation (internal)",
        validators=[
            DataRequired(message="Explain the decision: what you checked and why."),
            Length(max=MAX_TEXT, message="At most 10,000 characters."),
        ],
    )
    message_to_exporter = TextAreaField(
        "Message to the exporter (optional)",
        validators=[Optional(), Length(max=MAX_TEXT, message="At most 10,000 characters.")],
    )
    # The screening the liaison was looking at: a decision on a case that a re-screening has moved
    # since the page was loaded is refused, so nobody decides on evidence they have not seen.
    screening_id = HiddenField()
