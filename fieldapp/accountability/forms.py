"""Incident form and the filters of the incident list and the audit trail."""
from __future__ import annotations

import re
from datetime import date

from flask import abort
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from ..forms import Form, VnDateField
from ..timeutil import today_vn
from ..labels import AGE_GROUPS, INCIDENT_KINDS, VERDICTS


FIRST_YEAR, LAST_YEAR = 2000, 2100  # beyond these a day is a typo, and day arithmetic overflows


def parse_day(text: str | None, default: date | None = None) -> date:
    """A YYYY-MM-DD day; `default` when absent; 400 with a message when malformed."""
    if not text:
        if default is None:
            abort(400, description=_("Give a date as YYYY-MM-DD."))
        return default
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        abort(400, description=_("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2025-11-12.",
                                 value=text[:20]))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        abort(400, description=_("Choose a date between %(first)s and %(last)s.",
                                 first=FIRST_YEAR, last=LAST_YEAR))
    return day


class MoneyField(IntegerField):
    """Whole đồng, typed as people write them: "150.000.000", "150 000 000 đ", "150,000,000"."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [re.sub(r"[\s.,_]|đ$|vnd$|VND$|Đ$", "", (valuelist[0] or "").strip())]
        super().process_formdata(valuelist)


class IncidentForm(Form):
    occurred_on = VnDateField(_l("Date it happened"), validators=[InputRequired(_l("Give the date."))])
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    loss_vnd = MoneyField(_l("Loss (VND)"), validators=[
        Optional(), NumberRange(0, 10**13, _l("Enter an amount between 0 and 10.000 billion."))])
    victim_age = IntegerField(_l("Victim's age"), validators=[
        Optional(), NumberRange(0, 120, _l("Enter an age between 0 and 120."))])
    note = TextAreaField(_l("Note"), validators=[
        Optional(), Length(max=2000, message=_l("At most %(max)d characters."))])

    def __init__(self, *args, first_day: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_day = first_day
        self.today = today_vn()
        self.kind.choices = INCIDENT_KINDS.choices()

    def validate_occurred_on(self, field):
        if field.data is None:  # unparsable: the field already says so
            return
        if field.data > self.today:
            raise ValidationError(_l("The date cannot be in the future."))
        if self.first_day and field.data < self.first_day:
            raise ValidationError(_l("The register starts on %(day)s; an earlier incident cannot be judged.",
                                     day=format_date(self.first_day, "dd/MM/yyyy")))

    def values(self) -> dict:
        return {"occurred_on": self.occurred_on.data, "kind": self.kind.data,
                "loss_vnd": self.loss_vnd.data, "victim_age": self.victim_age.data,
                "note": (self.note.data or "").strip()}


def plausible_day(form, field):
    """Filters take days from 2000 to 2100; anything else is a typo (and would overflow)."""
    if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Choose a date between %(first)s and %(last)s.",
                                 first=FIRST_YEAR, last=LAST_YEAR))


class _GetForm(Form):
    class Meta:
        csrf = False


class HouseholdSearchForm(_GetForm):
    """Find the victim's household by any detail a police officer has (`households.queries.find`)."""

    q = StringField(_l("Name, house no., address or phone"), validators=[Optional(), Length(max=100)])
    village = SelectField(_l("Village"), validators=[Optional()])
    age = SelectField(_l("Someone aged"), validators=[Optional()])

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = [("", _l("All"))] + [(str(v.id), f"{v.code} · {v.name}") for v in villages]
        self.age.choices = [("", _l("Any age"))] + AGE_GROUPS.choices()

    def validate(self, extra_validators=None) -> bool:
        """Something to search: two letters or digits (or a house number), or a village, or
        an age group."""
        if not super().validate(extra_validators):
            return False
        text = "".join((self.q.data or "").split())
        if text and len(text) < 2 and not text.isdigit():
            self.q.errors = [*self.q.errors, _l("Type at least 2 letters or digits.")]
            return False
        if not (text or self.village.data or self.age.data):
            self.q.errors = [*self.q.errors, _l(
                "Nothing to search: type a name, house number, address or phone, or choose a village or an age group.")]
            return False
        return True


class IncidentFilterForm(_GetForm):
    verdict = SelectField(_l("Verdict"), validators=[Optional()])
    village = SelectField(_l("Village"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    date_from = VnDateField(_l("From"), validators=[Optional(), plausible_day])
    date_to = VnDateField(_l("To"), validators=[Optional(), plausible_day])

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _l("All"))]
        self.verdict.choices = everything + VERDICTS.choices()
        self.kind.choices = everything + INCIDENT_KINDS.choices()
        self.village.choices = everything + [(str(v.id), f"{v.code} {v.name}") for v in villages]


class AuditFilterForm(_GetForm):
    user = StringField(_l("User"), validators=[Optional(), Length(max=40)])
    action = SelectField(_l("Action"), validators=[Optional()])
    object = StringField(_l("Record (id)"), validators=[Optional(), Length(max=40)])
    date_from = VnDateField(_l("From"), validators=[Optional(), plausible_day])
    date_to = VnDateField(_l("To"), validators=[Optional(), plausible_day])

    def __init__(self, *args, actions: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _l("All"))] + sorted(actions.items(), key=lambda kv: str(kv[1]))
