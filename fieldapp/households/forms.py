"""Adding and editing a household; what each value must be is stated in `rules`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, IntegerField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..forms import Form
from ..text import nfc, normalise_phone
from . import rules


def _check(problem: str | None) -> None:
    if problem:
        raise ValidationError(problem)


def _bounds(bounds: tuple[int, int]) -> dict:
    """The browser's own hint of a count's range (the rule itself is checked here)."""
    return {"type": "number", "min": bounds[0], "max": bounds[1], "inputmode": "numeric"}


class HouseholdForm(Form):
    code = StringField(_l("House number / code"), validators=[Optional()],
                       render_kw={"maxlength": rules.CODE_MAX})
    head_name = StringField(_l("Head of household (full name)"), render_kw={"maxlength": rules.NAME_MAX})
    address = StringField(_l("Address (house number, alley)"), validators=[Optional()],
                          render_kw={"maxlength": rules.ADDRESS_MAX})
    phone = StringField(_l("Phone"), validators=[Optional()])
    members = IntegerField(_l("Members"), default=1, validators=[
        InputRequired(_l("Enter the number of members."))], render_kw=_bounds(rules.MEMBERS))
    youth = IntegerField(_l("Of whom aged 12–24"), default=0, validators=[
        InputRequired(_l("Enter the number aged 12–24 (0 if none)."))], render_kw=_bounds(rules.YOUTH))
    lat = FloatField(validators=[Optional()])
    lon = FloatField(validators=[Optional()])

    def validate_code(self, field):
        _check(rules.too_long(field.data, rules.CODE_MAX))

    def validate_head_name(self, field):
        _check(rules.name_problem(nfc(field.data)))

    def validate_address(self, field):
        _check(rules.too_long(field.data, rules.ADDRESS_MAX))

    def validate_phone(self, field):
        _check(rules.phone_problem(field.data))
        field.data = normalise_phone(field.data)

    def validate_members(self, field):
        _check(rules.count_problem(field.data, rules.MEMBERS))

    def validate_youth(self, field):
        _check(rules.count_problem(field.data, rules.YOUTH))
        if self.members.data is not None and not self.members.errors:
            _check(rules.youth_problem(field.data, self.members.data))

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the point they make together (a phone's fix, or typed in)."""
        valid = super().validate(extra_validators)
        if not (self.lat.errors or self.lon.errors):
            if problem := rules.point_problem(self.lat.data, self.lon.data):
                self.lat.errors = [*self.lat.errors, problem]
                return False
        return valid


class YouthForm(Form):
    """Name one of a household's youths: full name and year of birth, nothing more."""

    full_name = StringField(_l("Full name"), render_kw={"maxlength": rules.NAME_MAX})
    birth_year = IntegerField(_l("Year of birth"), validators=[
        InputRequired(_l("Enter the year of birth."))], render_kw={"inputmode": "numeric"})

    def __init__(self, *args, household, this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.household, self.this_year = household, this_year

    def validate_full_name(self, field):
        _check(rules.member_name_problem(nfc(field.data)))
        _check(rules.named_youths_problem(len(self.household.named_youths) + 1, self.household.youth))

    def validate_birth_year(self, field):
        _check(rules.birth_year_problem(field.data, self.this_year))
