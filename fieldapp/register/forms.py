"""Forms of the commune onboarding pages: a commune by its official code, its commander,
its villages' file."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from ..auth.forms import NewUserForm
from ..forms import Form
from . import communes, units


class CommuneForm(Form):
    code = StringField(_l("Official commune code (5 digits)"), validators=[DataRequired(_l("Enter the code."))])

    def validate_code(self, field):
        """Official, and not here yet: the official list's reason otherwise."""
        try:
            communes.refuse_known(units.commune(field.data).code)
        except units.UnitRefused as exc:
            raise ValidationError(str(exc)) from None


class CommanderForm(NewUserForm):
    """A new commander of the commune: NewUserForm without the role (it is fixed)."""

    role = None


class VillagesFileForm(Form):
    file = FileField(_l("Villages file (CSV or XLSX columns code,name, or GeoJSON polygons)"),
                     validators=[FileRequired(_l("Choose a file to import."))])
