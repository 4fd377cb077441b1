"""WTForms forms. Validation messages are written to be read aloud by a screen reader.

Forms check what was sent; they must not change data.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .i18n import ROLE_NAMES
from .models import ROLES
from .services import preferences as prefs
from .services import reports, sign_videos

# Bidirectional embedding/override/isolate controls: they let a name display as something else.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_MARKUP = re.compile(r"[<>]")

COMMON_PASSWORDS = {
    "password123", "1234567890", "qwertyuiop", "iloveyou12", "password12",
    "letmein123", "welcome123", "abcdefghij", "0987654321", "1q2w3e4r5t",
}


def plain_name(form, field):
    """A name must be plain visible text: no markup, no control or direction-override characters."""
    value = field.data or ""
    if _MARKUP.search(value):
        raise ValidationError(_("Names cannot contain the characters < or >. Remove them."))
    if _BIDI_CONTROLS.search(value):
        raise ValidationError(
            _l("The name contains invisible text-direction characters. Type the name again "
               "without copying it from elsewhere.")
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf"} and ch != "\u200d" for ch in value):
        raise ValidationError(_l("The name contains invisible control characters. Remove them."))


def strong_password(form, field):
    value = field.data or ""
    if value.lower() in COMMON_PASSWORDS or len(set(value)) < 5:
        raise ValidationError(
            _l("This password is too easy to guess. Use a longer phrase, for example four "
               "unrelated words.")
        )
    email = (form.email.data or "").lower() if hasattr(form, "email") else ""
    if email and value.lower() == email:
        raise ValidationError(_l("The password must not be your e-mail address."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


NEEDS = [
    ("screen_reader", _l("I use a screen reader")),
    ("keyboard_only", _l("I use only a keyboard")),
    ("deaf_hoh", _l("I am deaf or hard of hearing")),
    ("low_vision", _l("I am blind or have low vision")),
    ("voice", _l("I navigate by voice")),
]


class RegisterForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address must be 254 characters or fewer.")),
            Email(_l("Enter an e-mail address in the form name@example.com."),
                  check_deliverability=False),
        ],
    )
    display_name = StringField(
        _l("Name shown to others"),
        validators=[
            DataRequired(_l("Enter the name to show to others.")),
            Length(max=60, message=_l("The name must be 60 characters or fewer.")),
            plain_name,
        ],
    )
    real_name = StringField(
        _l("Real name (optional)"),
        validators=[
            Optional(),
            Length(max=120, message=_l("The real name must be 120 characters or fewer.")),
            plain_name,
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=10, max=128,
                   message=_l("The password must be between 10 and 128 characters long.")),
            strong_password,
        ],
    )
    confirm = PasswordField(
        _l("Type the password again"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", message=_l("The two passwords are not the same. Type them again.")),
        ],
    )
    needs = MultiCheckboxField(_l("Accessibility needs (optional)"), choices=NEEDS,
                               validate_choice=True)
    language = RadioField(
        _l("Interface language"),
        choices=[("en", "English"), ("zh", "简体中文")],
        default="en",
        validators=[DataRequired(_l("Choose an interface language."))],
    )


class ProfileForm(FlaskForm):
    """What a learner tells about themselves: the real name and needs are optional and seen only
    by them and administrators."""

    display_name = RegisterForm.display_name
    real_name = RegisterForm.real_name
    needs = RegisterForm.needs


def _new_password_fields() -> tuple:
    """A new password typed twice; the same rules as at registration."""
    return (
        PasswordField(_l("New password"),
                      validators=RegisterForm.password.kwargs["validators"]),
        PasswordField(
            _l("Type the new password again"),
            validators=[
                DataRequired(_l("Type the new password again.")),
                EqualTo("password",
                        message=_l("The two passwords are not the same. Type them again.")),
            ],
        ),
    )


class NewPasswordForm(FlaskForm):
    """The form a password reset link opens."""

    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=128)],
    )
    password, confirm = _new_password_fields()


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=128)]
    )


def _with_lang(choices):
    """Choices of languages, each option marked with its language (its name is written in it)."""
    return [(code, name, {"lang": code} if code else {}) for code, name in choices]


class PercentField(IntegerField):
    """A whole percentage; what is not a number is left to the field's validator to explain
    (in its own words, not WTForms' "Not a valid integer value")."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def _value(self):
        # A number input can show only a number: what was not one is not shown again.
        return "" if self.raw_data and self.data is None else super()._value()


def _volume_in_steps(message):
    def check(form, field):
        if field.data not in prefs.VOLUME_CHOICES:
            raise ValidationError(message)
    return check


class PreferencesForm(FlaskForm):
    caption_size = RadioField(_l("Caption text size"), choices=prefs.SIZE_CHOICES)
    caption_color = RadioField(_l("Caption text colour"), choices=prefs.COLOR_CHOICES)
    caption_background = RadioField(_l("Caption background"), choices=prefs.BACKGROUND_CHOICES)
    caption_opacity = RadioField(_l("Caption background opacity"),
                                 choices=prefs.OPACITY_CHOICES, default="100")
    caption_edge = RadioField(_l("Caption text edge"), choices=prefs.EDGE_CHOICES,
                              default="none")
    caption_font = RadioField(_l("Caption font"), choices=prefs.FONT_CHOICES, default="default")
    caption_position = RadioField(_l("Where captions are shown"),
                                  choices=prefs.POSITION_CHOICES, default="bottom")
    caption_language = SelectField(_l("Language of captions"),
                                   choices=_with_lang(prefs.CAPTION_LANGUAGE_CHOICES),
                                   validate_choice=True, default="")
    transcript_language = SelectField(_l("Language of the transcript"),
                                      choices=_with_lang(prefs.TRANSCRIPT_LANGUAGE_CHOICES),
                                      validate_choice=True, default="")
    captions_on = BooleanField(_l("Show captions when a lesson starts"))
    audio_description = BooleanField(_l("Turn on audio description by default"))
    description_mode = RadioField(_l("How audio description is given"),
                                  choices=prefs.DESCRIPTION_MODE_CHOICES, default="described")
    description_overflow = RadioField(_l("When a text description is longer than its pause"),
                                      choices=prefs.OVERFLOW_CHOICES, default="pause")
    description_rate = SelectField(_l("Speech rate of text descriptions spoken by the browser"),
                                   choices=prefs.DESCRIPTION_RATE_CHOICES, coerce=float,
                                   validate_choice=True, default=1.0)
    description_volume = PercentField(
        _l("Description volume, in percent"), default=100,
        render_kw={"min": 0, "max": 100, "step": 5},
        validators=[_volume_in_steps(_l("The description volume is a whole number from 0 to "
                                        "100, in steps of 5 (such as 80)."))])
    programme_volume = PercentField(
        _l("Programme volume under described audio, in percent"), default=100,
        render_kw={"min": 0, "max": 100, "step": 5},
        validators=[_volume_in_steps(_l("The programme volume is a whole number from 0 to 100, "
                                        "in steps of 5 (such as 80)."))])
    high_contrast = BooleanField(_l("High contrast"))
    reduced_motion = BooleanField(_l("Reduce motion"))
    playback_speed = SelectField(
        _l("Playback speed"), choices=prefs.SPEED_CHOICES, coerce=float,
        validate_choice=True,
    )
    language = RadioField(_l("Interface language"), choices=[("en", "English"), ("zh", "简体中文")])
    sign_on = BooleanField(_l("Show a sign-language video when a lesson has one"))
    sign_language = SelectField(_l("Sign language"), choices=prefs.SIGN_LANGUAGE_CHOICES,
                                validate_choice=True, default="")
    sign_layout = RadioField(_l("Where the sign-language video is shown"),
                             choices=prefs.SIGN_LAYOUT_CHOICES, default="over")
    sign_corner = RadioField(_l("Its corner, over the video"), choices=prefs.SIGN_CORNER_CHOICES,
                             default="bottom-right")
    sign_size = RadioField(_l("Its size"), choices=prefs.SIGN_SIZE_CHOICES, default="medium")
    video_quality = RadioField(_l("Picture quality of lessons"), choices=prefs.QUALITY_CHOICES,
                               default="auto")
    audio_mode = BooleanField(_l("Play lessons as audio and text (no picture)"))
    voice_sensitivity = RadioField(_l("Voice sensitivity"),
                                   choices=prefs.VOICE_SENSITIVITY_CHOICES, default="balanced")
    voice_hands_free = BooleanField(_l("Hands-free: keep listening for the wake word in lessons"))

    def validate_caption_edge(self, field):
        if field.data == "none" and self.caption_opacity.data == "0":
            raise ValidationError(
                _l("Captions with no background need an outline or a drop shadow to be read "
                   "over a light picture. Choose an edge, or a background opacity.")
            )

    def validate_caption_background(self, field):
        if field.data == self.caption_color.data:
            raise ValidationError(
                _l("Caption text and background are the same colour, so captions would be "
                   "invisible. Choose a different background.")
            )


class CatalogueSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search courses"), validators=[Optional(), Length(max=100)])
    trade = SelectField(_l("Trade"), validators=[Optional()], validate_choice=False)


class UserSearchForm(FlaskForm):
    """Administration › Users: find people by part of a name or e-mail address, or by role."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or e-mail address"), validators=[Optional(), Length(
        max=100, message=_l("Search with 100 characters or fewer."))])
    role = SelectField(_l("Role"), validate_choice=False,
                       choices=[("", _l("All roles"))] + [(r, ROLE_NAMES[r]) for r in ROLES])

    def validate_role(self, field):
        if field.data and field.data not in ROLES:
            raise ValidationError(_l("Choose a role from the list."))


class LessonMediaForm(FlaskForm):
    media = FileField(_l("Lesson video or audio"),
                      validators=[FileRequired(_l("Choose the lesson's video or audio file."))])
    script = TextAreaField(
        _l("Lesson script (optional)"),
        validators=[Optional(), Length(max=20000, message=_l(
            "The script must be 20,000 characters or fewer."))],
    )


class CaptionImportForm(FlaskForm):
    """The view sets ``language.choices``: the lesson's own language ("") and the languages
    captions may be translated into."""

    captions = FileField(_l("Caption file (WebVTT or SRT)"),
                         validators=[FileRequired(_l("Choose a .vtt or .srt file."))])
    language = SelectField(_l("Language of the captions"), default="", validate_choice=True,
                           id="import-language")


class TranslationForm(FlaskForm):
    """The view sets ``language.choices`` (the languages other than the lesson's)."""

    language = SelectField(_l("Translate the captions into"), validate_choice=True,
                           id="translation-language",
                           validators=[DataRequired(_l("Choose the language to translate into."))])


class QuizForm(FlaskForm):
    title = StringField(_l("Quiz title"), validators=[
        DataRequired(_l("Give the quiz a title.")),
        Length(max=200, message=_l("The title must be 200 characters or fewer."))])
    intro = TextAreaField(_l("Introduction (optional)"), validators=[
        Optional(), Length(max=2000, message=_l("The introduction must be 2,000 characters or "
                                                "fewer."))])
    pass_mark = IntegerField(_l("Pass mark, in percent"), default=70, validators=[
        DataRequired(_l("Enter the pass mark as a whole number from 1 to 100.")),
        NumberRange(min=1, max=100, message=_l("The pass mark is a whole number from 1 to 100."))])
    time_limit_min = IntegerField(_l("Time limit in minutes (optional)"), validators=[
        Optional(), NumberRange(min=1, max=600, message=_l(
            "The time limit is a whole number of minutes from 1 to 600, or empty for none."))])
    lesson_id = SelectField(_l("Place the quiz after this lesson"), coerce=int,
                            validate_choice=True)


class ChoiceForm(FlaskForm):
    class Meta:
        csrf = False

    text = StringField(_l("Answer"), validators=[
        Optional(), Length(max=500, message=_l("An answer must be 500 characters or fewer."))])
    correct = BooleanField(_l("This answer is right"))
    feedback = StringField(_l("Feedback when chosen (optional)"), validators=[
        Optional(), Length(max=1000, message=_l("Feedback must be 1,000 characters or fewer."))])


QUESTION_KIND_CHOICES = [
    ("single", _l("One right answer (radio buttons)")),
    ("multiple", _l("Several right answers (checkboxes)")),
    ("text", _l("A short typed answer")),
]
CHOICE_ROWS = 6


class QuestionForm(FlaskForm):
    prompt = TextAreaField(_l("Question"), validators=[
        DataRequired(_l("Write the question.")),
        Length(max=2000, message=_l("The question must be 2,000 characters or fewer."))])
    kind = RadioField(_l("Kind of answer"), choices=QUESTION_KIND_CHOICES, default="single",
                      validators=[DataRequired(_l("Choose the kind of answer."))])
    choices = FieldList(FormField(ChoiceForm), min_entries=CHOICE_ROWS, max_entries=CHOICE_ROWS)
    accepted = TextAreaField(_l("Accepted answers, one a line (short typed answers only)"),
                             validators=[Optional(), Length(max=2000)])
    explanation = TextAreaField(_l("Explanation shown after the quiz is passed (optional)"),
                                validators=[Optional(), Length(max=2000)])


class _ReportDateField(DateField):
    """A date (the browser's date picker sends year-month-day) with a message read aloud."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter a real date as year-month-day, for example 2026-03-31.")) \
                from error


class ReportPeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = _ReportDateField(_l("From"), name="from", validators=[Optional()])
    end = _ReportDateField(_l("To"), name="to", validators=[Optional()])
    # The view fills in the organisations; 0 is every learner.
    organisation = SelectField(_l("Organisation"), coerce=lambda value: _int_or_zero(value),
                               validate_choice=False, default=0)

    def validate_organisation(self, field):
        if field.choices and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose an organisation from the list."))

    def validate_end(self, field):
        if self.start.data and field.data and self.start.data > field.data:
            raise ValidationError(_l("The end date must be the same as or after the start date."))

    def period(self) -> reports.Period:
        """The dates chosen; without an end, up to today; without a start, 12 months."""
        end = self.end.data or reports.default_period().end
        return reports.Period(self.start.data or reports.default_period(end).start, end)


class PracticalUploadForm(FlaskForm):
    video = FileField(_l("Video of your work"),
                      validators=[FileRequired(_l("Choose the video of your work."))])
    note = TextAreaField(_l("A note for the examiner (optional)"), validators=[
        Optional(), Length(max=2000, message=_l("The note must be 2,000 characters or fewer."))])


def plain_title(form, field):
    """A title is one line of visible text: no control or direction-override characters."""
    value = field.data or ""
    if _BIDI_CONTROLS.search(value) or any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(_l("The title cannot contain control or text-direction "
                                 "characters. Type it again without them."))


def _title_field(label, missing):
    return StringField(label, validators=[
        DataRequired(missing), plain_title,
        Length(max=200, message=_l("The title must be 200 characters or fewer."))])


def _summary_field(label):
    return TextAreaField(label, validators=[Optional(), Length(max=5000, message=_l(
        "The description must be 5,000 characters or fewer."))])


def _int_or_zero(value) -> int:
    """A choice's id; 0 (no choice) for anything that is not a whole number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _chosen(message):
    """A select field's value must be one of its choices (WTForms' own check has no words we
    can translate)."""
    def check(form, field):
        if not field.data or field.data not in {value for value, _label in field.choices}:
            raise ValidationError(message)
    return check


def _language_field(label):
    message = _l("Choose the language spoken in the media.")
    return SelectField(label, validate_choice=False, validators=[_chosen(message)])


class CourseForm(FlaskForm):
    """A course's details; the view fills in the trades and languages to choose from."""

    title = _title_field(_l("Course title"), _l("Give the course a title."))
    summary = _summary_field(_l("Description (optional)"))
    trade_id = SelectField(_l("Trade"), coerce=_int_or_zero, validate_choice=False,
                           validators=[_chosen(_l("Choose the trade the course teaches."))])
    language = _language_field(_l("Language of the lessons' media"))


class LessonForm(FlaskForm):
    title = _title_field(_l("Lesson title"), _l("Give the lesson a title."))
    summary = _summary_field(_l("Description (optional)"))
    language = _language_field(_l("Language spoken in the media"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False,
                       choices=[(r, ROLE_NAMES[r]) for r in ROLES],
                       validators=[_chosen(_l("Choose a role from the list."))])


class DeleteAccountForm(FlaskForm):
    """Deleting is confirmed by typing the account's e-mail address (the view compares it)."""

    confirm_email = StringField(_l("E-mail address of the account, to confirm"),
                                validators=[DataRequired(_l(
                                    "Type the e-mail address shown above: nothing is deleted "
                                    "without it."))])


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name of the organisation"), validators=[
        DataRequired(_l("Give the organisation a name.")), plain_title,
        Length(max=200, message=_l("The name must be 200 characters or fewer."))])


class UserOrganisationForm(FlaskForm):
    """The view fills in the organisations; 0 is "none"."""

    organisation_id = SelectField(_l("Organisation"), coerce=_int_or_zero, validate_choice=False)

    def validate_organisation_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose an organisation from the list."))


class ImportLearnersForm(FlaskForm):
    staff_list = FileField(_l("Staff list (CSV)"),
                           validators=[FileRequired(_l("Choose the CSV file of the staff list."))])


def _plain_label(form, field):
    value = field.data or ""
    if _BIDI_CONTROLS.search(value) or any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(_l("The label cannot contain control or text-direction "
                                 "characters. Type it again without them."))


class SignVideoForm(FlaskForm):
    """A sign-language interpreter's video for the lesson's media (services/sign_videos.py
    checks the file, the language and the label again)."""

    sign_video = FileField(_l("Sign-language video"),
                           validators=[FileRequired(_l(
                               "Choose the sign-language video file."))])
    sign_language = SelectField(_l("Sign language"), choices=sign_videos.SIGN_LANGUAGES,
                                validate_choice=False)
    sign_label = StringField(_l("Label (optional)"), validators=[
        Optional(), _plain_label,
        Length(max=sign_videos.MAX_LABEL, message=_l(
            "The label must be 100 characters or fewer."))])
    sign_for = RadioField(_l("Made for"), choices=[
        ("current", _l("The current media")),
        ("new", _l("The new media, waiting for its captions"))], default="current",
        validate_choice=False)

    def validate_sign_language(self, field):
        if field.data not in sign_videos.LANGUAGE_CODES:
            raise ValidationError(_l("Choose the sign language from the list."))


class _ClassDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter the class's date as year-month-day, for example "
                               "2026-03-31.")) from error


class _ClassTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter the start time as hours and minutes, for example "
                               "14:30.")) from error


class _MinutesField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_("Enter how many minutes the class lasts, from 10 to 480.")) \
                from error


def _minutes_in_range(form, field):
    """10 to 480 (a value that is not a number has its own message already)."""
    if field.data is not None and not 10 <= field.data <= 480:
        raise ValidationError(_("Enter how many minutes the class lasts, from 10 to 480."))


class LiveClassForm(FlaskForm):
    """A live class's details; the view fills in the languages and says the time zone."""

    title = _title_field(_l("Class title"), _l("Give the class a title."))
    day = _ClassDateField(_l("Date"), validators=[InputRequired(_l("Enter the class's date."))])
    start = _ClassTimeField(_l("Start time"), validators=[
        InputRequired(_l("Enter the class's start time."))])
    minutes = _MinutesField(_l("Length in minutes"), default=60, validators=[
        InputRequired(_l("Enter how many minutes the class lasts, from 10 to 480.")),
        _minutes_in_range])
    language = _language_field(_l("Language the teacher speaks"))
