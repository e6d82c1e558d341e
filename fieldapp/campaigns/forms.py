"""The new-campaign form: name, dates, active mark, topics in order."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from ..forms import Form, MultiCheckboxField, VnDateField
from ..labels import MATERIALS


class CampaignForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the campaign's name.")), Length(max=200)])
    starts_on = VnDateField(_l("First day"), validators=[InputRequired(_l("Enter the first day."))])
    ends_on = VnDateField(_l("Last day"), validators=[InputRequired(_l("Enter the last day."))])
    topics = MultiCheckboxField(_l("Topics (in this order; reorder later)"))

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topics.choices = [(t.code, t.label_vi) for t in topics]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day is before the first day."))

    def validate_topics(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one topic."))

    def ordered_topics(self) -> list[str]:
        chosen = set(self.topics.data)
        return [code for code, _label in self.topics.choices if code in chosen]


class TopicForm(Form):
    code = StringField(_l("Code (stable, a-z and _)"), validators=[
        DataRequired(_l("Enter a code.")), Length(max=40),
        Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Lower-case letters without diacritics, digits and _ only."))])
    label_vi = StringField(_l("Vietnamese label"), validators=[DataRequired(_l("Enter the Vietnamese label.")),
                                                               Length(max=255)])
    label_en = StringField(_l("English label"), validators=[Length(max=255)])


class StandardForm(Form):
    """The campaign's standard package: what one tap on "Đã cảnh báo" records."""

    topics = MultiCheckboxField(_l("Topics a one-tap warning records"))
    materials = MultiCheckboxField(_l("Materials it records as handed over"))

    def __init__(self, *args, campaign=None, locale: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.topics.choices = [(t.code, t.label(locale)) for t in campaign.topics]
        self.materials.choices = MATERIALS.choices()
        if not self.is_submitted():
            self.topics.data, self.materials.data = campaign.standard["topics"], campaign.standard["materials"]

    def validate_topics(self, field):
        if not field.data:
            raise ValidationError(_l("A warning covers at least one topic."))

