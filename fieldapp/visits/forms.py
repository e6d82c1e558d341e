"""The visit form, used by the web page and (from JSON) by the sync endpoint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import Form, choices, MultiCheckboxField, count_range, valid_point
from ..labels import MATERIALS, OUTCOMES


class VisitForm(Form):
    outcome = RadioField(_l("Outcome"), choices=OUTCOMES.choices(),
                         validators=[InputRequired(_l("Choose an outcome."))])
    topics = MultiCheckboxField(_l("Topics covered"))
    materials = MultiCheckboxField(_l("Materials handed over"), choices=MATERIALS.choices())
    people_reached = IntegerField(_l("People reached"), default=0,
                                  validators=[Optional(), count_range(50)])
    youth_reached = IntegerField(_l("Youths (12–24) reached"), default=0,
                                 validators=[Optional(), count_range(30)])
    commitment_signed = BooleanField(_l("Commitment signed"))
    companions = MultiCheckboxField(_l("Went with"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000, message=_l("At most %(max)d characters."))])
    lat = FloatField(validators=[Optional(), valid_point])
    lon = FloatField(validators=[Optional()])
    accuracy_m = FloatField(validators=[Optional(), NumberRange(0, 100000)])

    def __init__(self, *args, campaign=None, team=(), **kwargs):
        super().__init__(*args, **kwargs)
        topics = campaign.topics if campaign else []
        from flask_babel import get_locale

        self.topics.choices = choices({t.code: t.label(str(get_locale())) for t in topics})
        self.companions.choices = choices({u.username: u.display_name for u in team})

    def prefill(self, campaign) -> None:
        """Start a blank form from no outcome; the warning's details (shown once "warned" is
        chosen) start as the one-tap warning (`services.standard_values`): the campaign's
        standard package, one person reached. Nothing without a campaign."""
        from .services import standard_values

        if campaign is not None:
            values = standard_values(campaign, "warned")
            for name in ("topics", "materials", "people_reached"):
                self[name].data = values[name]

    def validate_topics(self, field):
        if self.outcome.data == "warned" and not field.data:
            raise ValidationError(_l("Tick at least one topic for a warning."))

    def validate_youth_reached(self, field):
        if (field.data or 0) > (self.people_reached.data or 0):
            raise ValidationError(_l("Youths reached cannot exceed people reached."))

    def clean(self) -> dict:
        """The validated values, with warning details (topics, materials, people, commitment)
        dropped when nobody was warned: "Vắng nhà" and "Không tiếp" record none of them."""
        warned = self.outcome.data == "warned"
        return {
            "outcome": self.outcome.data,
            "topics": list(self.topics.data or []) if warned else [],
            "materials": list(self.materials.data or []) if warned else [],
            "people_reached": (self.people_reached.data or 0) if warned else 0,
            "youth_reached": (self.youth_reached.data or 0) if warned else 0,
            "commitment_signed": bool(self.commitment_signed.data) and warned,
            "companions": list(self.companions.data or []),
            "note": (self.note.data or "").strip(),
            "lat": self.lat.data, "lon": self.lon.data, "accuracy_m": self.accuracy_m.data,
        }


class CorrectionForm(VisitForm):
    """A correction: the visit's record as it should have been, and why."""

    reason = TextAreaField(_l("Reason for the correction"), validators=[
        DataRequired(_l("Say why the record is corrected.")), Length(max=500, message=_l("At most %(max)d characters."))])

    def fill_from(self, visit) -> None:
        """Start from the record being corrected."""
        for name in ("outcome", "topics", "materials", "people_reached", "youth_reached", "commitment_signed", "note"):
            self[name].data = getattr(visit, name)
        self.companions.data = [u.username for u in visit.companions]


class WithdrawForm(Form):
    reason = TextAreaField(_l("Reason for withdrawing"), validators=[
        DataRequired(_l("Say why the visit is withdrawn.")), Length(max=500, message=_l("At most %(max)d characters."))])

