"""Adding (and later editing) a household."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms import Form, count_range, valid_phone, valid_point


class HouseholdForm(Form):
    code = StringField(_l("House number / code"), validators=[Optional(), Length(max=40)])
    head_name = StringField(_l("Head of household (full name)"), validators=[
        DataRequired(_l("Enter the full name of the head of household.")),
        Length(min=2, max=120, message=_l("The name must have 2 to 120 characters."))])
    address = StringField(_l("Address (house number, alley)"), validators=[Optional(), Length(max=255)])
    phone = StringField(_l("Phone"), validators=[Optional(), valid_phone])
    members = IntegerField(_l("Members"), default=1, validators=[
        InputRequired(_l("Enter the number of members.")), count_range(99, 1)])
    youth = IntegerField(_l("Of whom aged 12–24"), default=0, validators=[
        InputRequired(_l("Enter the number aged 12–24 (0 if none).")), count_range(99)])
    lat = FloatField(validators=[Optional(), valid_point])
    lon = FloatField(validators=[Optional()])

    def validate_youth(self, field):
        if field.data is not None and self.members.data is not None and field.data > self.members.data:
            raise ValidationError(_l("Cannot be more than the number of members."))

    def validate_head_name(self, field):
        if any(ch.isdigit() for ch in field.data or ""):
            raise ValidationError(_l("A name cannot contain digits."))
