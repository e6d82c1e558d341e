"""Forms of the proof pages: the review filters, a review mark, a verification result."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import InputRequired, Length, Optional

from ..accountability.forms import plausible_day
from ..forms import Form
from ..labels import CHECKS, REVIEW_VERDICTS, VERIFICATION_RESULTS, Codes

REVIEW_STATES = Codes(open=_l("Not reviewed"), fine=_l("Fine"), problem=_l("Problem"), all=_l("All"))


class ReviewFilterForm(Form):
    """?village=&officer=&flag=&state=&date_from=&date_to= on the review page."""

    class Meta:
        csrf = False

    village = SelectField(_l("Village"), validators=[Optional()])
    officer = SelectField(_l("Officer"), validators=[Optional()])
    flag = SelectField(_l("Check"), validators=[Optional()])
    state = SelectField(_l("Review"), validators=[Optional()], default="open")
    date_from = DateField(_l("From"), validators=[Optional(), plausible_day])
    date_to = DateField(_l("To"), validators=[Optional(), plausible_day])

    def __init__(self, *args, villages=(), officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _l("All"))]
        self.village.choices = everything + [(str(v.id), f"{v.code} {v.name}") for v in villages]
        self.officer.choices = everything + [(u.username, f"{u.display_name} ({u.username})") for u in officers]
        self.flag.choices = everything + CHECKS.choices()
        self.state.choices = REVIEW_STATES.choices()


class MarkForm(Form):
    """A commander's reading of a flagged visit; a problem needs a note."""

    verdict = RadioField(_l("Verdict"), choices=REVIEW_VERDICTS.choices(),
                         validators=[InputRequired(_l("Choose fine or problem."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000, message=_l("At most %(max)d characters."))])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.verdict.data == "problem" and not (self.note.data or "").strip():
            self.note.errors = [*self.note.errors, _l("Say what the problem is.")]
            return False
        return ok


class VerifyForm(Form):
    """The result of checking one sampled warning with the household."""

    result = RadioField(_l("Result"), choices=VERIFICATION_RESULTS.choices(),
                        validators=[InputRequired(_l("Choose confirmed, denied or unreachable."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000, message=_l("At most %(max)d characters."))])
