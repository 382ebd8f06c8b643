"""The citizen's contact form and the officers' case forms (messages in Vietnamese first)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from survey.services.feedback import FeedbackError, contacts
from survey.services.feedback.cases import ANSWER_MAX_CHARS, NOTE_MAX_CHARS

CHANNEL_CHOICES = (("email", _l("E-mail")), ("sms", _l("SMS (phone)")), ("zalo", _l("Zalo")))
ADDRESS_ERRORS = {
    "missing_address": _l("Enter your e-mail address or phone number, or untick the box."),
    "bad_email": _l("This is not an e-mail address (for example: ten@gmail.com)."),
    "bad_phone": _l("This is not a Vietnamese mobile number (for example: 0912 345 678)."),
    "unknown_channel": _l("Choose how we should contact you."),
}


class ContactForm(FlaskForm):
    """Consent first: an address is kept only when the box is ticked."""

    consent = BooleanField(_l("I agree to be contacted about my feedback. My address is used "
                              "only for this and is deleted when the case is closed."))
    channel = RadioField(_l("Contact me by"),
                         choices=[SelectChoice(code, label) for code, label in CHANNEL_CHOICES],
                         default="email",
                         validate_choice=False)
    address = StringField(_l("E-mail address or phone number"),
                          validators=[Length(max=254)], filters=[lambda v: (v or "").strip()])

    def contact(self) -> contacts.Contact | None:
        """The contact to keep, None without consent; errors are set on the fields."""
        if not self.consent.data:
            if self.address.data:
                self.consent.errors = [_l("Tick the box to let us contact you, or leave the "
                                          "address empty.")]
                raise FeedbackError("consent", "no consent")
            return None
        try:
            return contacts.normalise(self.channel.data or "", self.address.data or "")
        except FeedbackError as problem:
            field = self.channel if problem.field == "channel" else self.address
            field.errors = [ADDRESS_ERRORS[problem.message]]
            raise


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer to the citizen"), validators=[
        InputRequired(_l("Write the answer.")), Length(max=ANSWER_MAX_CHARS)])


class MoveForm(FlaskForm):
    to_status = HiddenField()
    note = StringField(_l("Note (a reason is needed to close a case not answered)"),
                       validators=[Length(max=NOTE_MAX_CHARS)])

STATUS_LABELS = {"received": _l("Received"), "in_progress": _l("In progress"),
                 "answered": _l("Answered"), "closed": _l("Closed"),
                 "reopened": _l("Reopened")}
MOVE_LABELS = {"in_progress": _l("Start handling"), "closed": _l("Close the case"),
               "reopened": _l("Reopen")}
FILTER_LABELS = {"open": _l("Open (not answered yet)"), "": _l("Every case"), **STATUS_LABELS}
SOURCE_LABELS = {"rating": _l("Dissatisfied rating"), "comment": _l("Comment")}
