"""Form pieces shared by several features."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from datetime import datetime

from wtforms import DateField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, ValidationError

from .text import strip_controls


# WTForms ships no Vietnamese catalogue; its built-in messages are translated in ours.
WTFORMS_MESSAGES = (
    _l("This field is required."), _l("Not a valid integer value."), _l("Not a valid float value."),
    _l("Not a valid choice."), _l("Invalid Choice: could not coerce."),
    _l("Invalid input."), _l("Not a valid decimal value."), _l("Not a valid date value."),
)


class _Translations:
    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        return ngettext(singular, plural, n)


class Form(FlaskForm):
    """Base form: WTForms' own messages come from the app's catalogues."""

    class Meta:
        def get_translations(self, form):
            return _Translations()

        def bind_field(self, form, unbound_field, options):
            # Text never carries control characters (PostgreSQL refuses NUL outright).
            if issubclass(unbound_field.field_class, StringField):
                keep = issubclass(unbound_field.field_class, TextAreaField)
                filters = list(unbound_field.kwargs.get("filters", ()))
                unbound_field.kwargs["filters"] = [lambda v, k=keep: strip_controls(v, k), *filters]
            return unbound_field.bind(form=form, **options)


def choices(mapping: dict) -> list[SelectChoice]:
    """{value: label} as the choices WTForms wants."""
    return [SelectChoice(str(value), label) for value, label in mapping.items()]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; unknown values are refused with a message."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        known = {str(c.value if isinstance(c, SelectChoice) else c[0]) for c in self.choices or ()}
        if unknown := [v for v in (self.data or []) if str(v) not in known]:
            raise ValidationError(unknown_choices(unknown))


def unknown_choices(values: list) -> str:
    return _l("Unknown choice: %(values)s", values=", ".join(map(str, values)))


def count_range(maximum: int, minimum: int = 0) -> NumberRange:
    return NumberRange(minimum, maximum, _l("Enter a number from %(min)s to %(max)s.",
                                            min=minimum, max=maximum))


def valid_point(form, _field) -> None:
    """lat and lon come together, inside the ranges of a real point."""
    if message := point_error(form.lat.data, form.lon.data):
        raise ValidationError(message)


def point_error(lat: float | None, lon: float | None):
    """Why (lat, lon) is no point, or None (both absent is no error)."""
    if (lat is None) != (lon is None):
        return _l("Latitude and longitude must be given together.")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return _l("The location is not a valid point.")
    return None


class VnDateField(DateField):
    """A day written dd/mm/yyyy (d/m/yyyy too; yyyy-mm-dd from links and older pages) and
    shown dd/mm/yyyy whatever the browser's language: a text box, not the browser's date
    picker, whose format follows the phone's locale."""

    widget = widgets.TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "placeholder": "dd/mm/yyyy", "autocomplete": "off"})
        super().__init__(label, validators, format=["%d/%m/%Y", "%Y-%m-%d"], **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not (raw := " ".join(valuelist).strip()):
            self.data = None
            return
        for pattern in self.format:
            try:
                self.data = datetime.strptime(raw, pattern).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(gettext("“%(value)s” is not a date; write it as dd/mm/yyyy, e.g. 12/11/2025.",
                                 value=raw[:20]))

