"""A village head's report on the register: always a note; a new household's or corrected
details (checked by the household rules, `households.forms`); the household a duplicate
repeats; and the commander's comment when deciding."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from ..households.forms import HouseholdForm

NOTE_MAX = 1000


def _note(required: bool = True) -> TextAreaField:
    first = DataRequired(_l("Say what you saw (a few words).")) if required else Optional()
    return TextAreaField(_l("Note"), validators=[
        first, Length(max=NOTE_MAX, message=_l("At most %(max)d characters."))])


class NoteForm(Form):
    """"Moved away": what the village head knows (when, where to)."""

    note = _note()


class DuplicateForm(NoteForm):
    other = SelectField(_l("The same family as"), validators=[DataRequired(_l("Choose the household it repeats."))])

    def __init__(self, *args, others=(), personal=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.other.choices = [("", "—")] + [(str(h.id), f"{h.code or '–'} · {h.head_name}" if personal else h.code or "–")
                                            for h in others]


class DetailsForm(HouseholdForm):
    """A new household, or the right details of one (prefilled with what the register holds)."""

    note = _note()


class DecisionForm(Form):
    """The commander's comment on accepting or rejecting (required to reject)."""

    comment = _note(required=False)
