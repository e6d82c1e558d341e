"""The visit form, used by the web page and (from JSON) by the sync endpoint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form, choices, MultiCheckboxField, valid_point
from ..labels import MATERIALS, OUTCOMES
from . import rules
from .rules import FIELDS


class VisitForm(Form):
    """The visit's fields, with the validators of their rules (`rules.FIELDS`, which the sync
    endpoint applies without a form)."""

    outcome = RadioField(_l("Outcome"), choices=OUTCOMES.choices(), validators=FIELDS["outcome"].validators())
    topics = MultiCheckboxField(_l("Topics covered"))
    materials = MultiCheckboxField(_l("Materials handed over"), choices=MATERIALS.choices())
    people_reached = IntegerField(_l("People reached"), default=FIELDS["people_reached"].default,
                                  validators=FIELDS["people_reached"].validators())
    youth_reached = IntegerField(_l("Youths (12–24) reached"), default=FIELDS["youth_reached"].default,
                                 validators=FIELDS["youth_reached"].validators())
    commitment_signed = BooleanField(_l("Commitment signed"))
    companions = MultiCheckboxField(_l("Went with"))
    note = TextAreaField(_l("Note"), validators=FIELDS["note"].validators())
    lat = FloatField(validators=[*FIELDS["lat"].validators(), valid_point])
    lon = FloatField(validators=FIELDS["lon"].validators())
    accuracy_m = FloatField(validators=FIELDS["accuracy_m"].validators())

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
        rules.raise_if(rules.topics_error(self.outcome.data, field.data))

    def validate_youth_reached(self, field):
        rules.raise_if(rules.youth_error(self.people_reached.data, field.data))

    def clean(self) -> dict:
        """The validated values (`rules.clean`)."""
        return rules.clean({name: self[name].data for name in FIELDS})


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

