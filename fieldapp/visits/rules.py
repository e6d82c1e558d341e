"""The rules of a visit's fields, in one place: `VisitForm` (the web page) takes its
validators from `FIELDS`, and `check` applies the same rules to a sync entry without building a
form (WTForms' binding and processing cost a fifth of a 200-visit batch).

Each rule gives the form its validators (`validators()`) and checks a field's submitted values
(`check(raw)`, the strings a browser posts) the way those validators do: the same value, the same
messages in the same order, including WTForms' own ("Not a valid integer value.", translated in
our catalogue) and its quirks (a blank number is no number; a count that is not one also answers
the range). `tests/visits/test_rules.py` holds `check` to the form, message for message.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext as _l
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import count_range, point_error, unknown_choices
from ..labels import MATERIALS, OUTCOMES
from ..text import strip_controls

CHOOSE_OUTCOME = _l("Choose an outcome.")
AT_MOST_CHARS = _l("At most %(max)d characters.")
TOPIC_NEEDED = _l("Tick at least one topic for a warning.")
YOUTH_OVER = _l("Youths reached cannot exceed people reached.")


def _blank(raw: list[str]) -> bool:
    """What `Optional()` lets through without checking: nothing sent, or only spaces."""
    return not raw or not raw[0].strip()


@dataclass(frozen=True)
class Choice:
    """One required code among `codes` (a radio list)."""

    codes: tuple[str, ...]
    required: object

    def validators(self) -> list:
        return [InputRequired(self.required)]

    def check(self, raw: list[str]):
        value = raw[0] if raw else None
        if not raw or not raw[0]:
            return value, [self.required]
        return value, [] if value in self.codes else [gettext("Not a valid choice.")]


@dataclass(frozen=True)
class Choices:
    """Any number of codes among those known (a checkbox list; the campaign's topics and the
    village's team are known per form, the materials always)."""

    codes: tuple[str, ...] | None = None

    def validators(self) -> list:
        return []

    def check(self, raw: list[str], known=None):
        known = self.codes if known is None else known
        unknown = [v for v in raw if v not in known]
        return list(raw), [unknown_choices(unknown)] if unknown else []


@dataclass(frozen=True)
class Number:
    """An optional number (a count when `whole`), within [minimum, maximum] when given."""

    whole: bool = False
    minimum: float | None = None
    maximum: float | None = None
    default: int | None = None

    def _range(self):
        if self.minimum is None and self.maximum is None:
            return None
        return count_range(self.maximum, self.minimum) if self.whole else NumberRange(self.minimum, self.maximum)

    def validators(self) -> list:
        return [Optional(), *filter(None, [self._range()])]

    def check(self, raw: list[str]):
        if not raw:
            return self.default, []
        try:
            value = (int if self.whole else float)(raw[0])
        except ValueError:
            value = None
        if _blank(raw):
            return value, []
        errors = [] if value is not None else [
            gettext("Not a valid integer value.") if self.whole else gettext("Not a valid float value.")]
        if self._range() is not None and not self._within(value):
            errors.append(self._range_message())
        return value, errors

    def _within(self, value) -> bool:
        return (value is not None and not math.isnan(value) and (self.minimum is None or value >= self.minimum)
                and (self.maximum is None or value <= self.maximum))

    def _range_message(self) -> str:
        rule = self._range()
        message = rule.message or gettext("Number must be between %(min)s and %(max)s.")
        return message % dict(min=rule.min, max=rule.max)


@dataclass(frozen=True)
class Text:
    """Optional text of at most `maximum` characters (control characters dropped, newlines kept)."""

    maximum: int

    def validators(self) -> list:
        return [Optional(), Length(max=self.maximum, message=AT_MOST_CHARS)]

    def check(self, raw: list[str]):
        value = strip_controls(raw[0], True) if raw else None
        if _blank(raw) or len(value or "") <= self.maximum:
            return value, []
        return value, [AT_MOST_CHARS % dict(min=-1, max=self.maximum, length=len(value))]


@dataclass(frozen=True)
class Flag:
    """A checkbox: ticked unless absent, empty or "false" (WTForms' BooleanField)."""

    def validators(self) -> list:
        return []

    def check(self, raw: list[str]):
        return bool(raw) and raw[0] not in ("false", ""), []


FIELDS = {
    "outcome": Choice(tuple(OUTCOMES), CHOOSE_OUTCOME),
    "topics": Choices(),
    "materials": Choices(tuple(MATERIALS)),
    "people_reached": Number(whole=True, minimum=0, maximum=50, default=0),
    "youth_reached": Number(whole=True, minimum=0, maximum=30, default=0),
    "commitment_signed": Flag(),
    "companions": Choices(),
    "note": Text(1000),
    "lat": Number(),
    "lon": Number(),
    "accuracy_m": Number(minimum=0, maximum=100000),
}


# --- rules across fields (the form's `validate_<field>` and `valid_point` call these) ------


def topics_error(outcome, topics):
    return TOPIC_NEEDED if outcome == "warned" and not topics else None


def youth_error(people, youth):
    return YOUTH_OVER if (youth or 0) > (people or 0) else None


def raise_if(message) -> None:
    if message is not None:
        raise ValidationError(message)


def check(raw: dict[str, list[str]], topics, companions) -> tuple[dict, dict[str, str]]:
    """(values as `clean` gives them, {field: message}) of a visit's submitted values (`raw`:
    field name → the strings a browser would post), by the form's rules; `topics` and
    `companions` are the codes the form would offer."""
    data, errors = {}, {}
    known = {"topics": topics, "companions": companions}
    for name, rule in FIELDS.items():
        values = raw.get(name, [])
        data[name], errors[name] = rule.check(values, known[name]) if name in known else rule.check(values)
    errors["topics"] += filter(None, [topics_error(data["outcome"], data["topics"])])
    if not _blank(raw.get("youth_reached", [])):
        errors["youth_reached"] += filter(None, [youth_error(data["people_reached"], data["youth_reached"])])
    if not _blank(raw.get("lat", [])):
        errors["lat"] += filter(None, [point_error(data["lat"], data["lon"])])
    return clean(data), {name: " ".join(map(str, found)) for name, found in errors.items() if found}


def clean(data: dict) -> dict:
    """The validated values, with warning details (topics, materials, people, commitment)
    dropped when nobody was warned: "Vắng nhà" and "Không tiếp" record none of them."""
    warned = data["outcome"] == "warned"
    return {
        "outcome": data["outcome"],
        "topics": list(data["topics"] or []) if warned else [],
        "materials": list(data["materials"] or []) if warned else [],
        "people_reached": (data["people_reached"] or 0) if warned else 0,
        "youth_reached": (data["youth_reached"] or 0) if warned else 0,
        "commitment_signed": bool(data["commitment_signed"]) and warned,
        "companions": list(data["companions"] or []),
        "note": (data["note"] or "").strip(),
        "lat": data["lat"], "lon": data["lon"], "accuracy_m": data["accuracy_m"],
    }
