"""Applying one outbox entry: a visit or a field-added household, validated like the web forms.

Each function raises `Invalid(errors)` with Vietnamese field errors (keyed by field name)
when the entry cannot be applied; the caller quarantines it.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..auth import scoping
from ..auth.models import User
from ..campaigns.services import get_campaign
from ..extensions import db
from ..households.forms import HouseholdForm
from ..households.services import add_household
from ..register.models import Household, Village
from ..visits import services as visits
from ..visits.forms import VisitForm
from ..visits.models import Visit


VISIT_FIELDS = ("outcome", "topics", "materials", "people_reached", "youth_reached",
                "commitment_signed", "companions", "note", "lat", "lon", "accuracy_m")


class Invalid(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def form_data(data: dict, fields: tuple[str, ...]) -> MultiDict:
    """JSON values as the form data a browser would post (lists repeat, false is absent)."""
    pairs = []
    for name in fields:
        value = data.get(name)
        if value is None or value is False:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, "y" if item is True else str(item)))
    return MultiDict(pairs)


def form_errors(form) -> dict[str, str]:
    return {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()}


def parse_recorded_at(value) -> datetime:
    """The device's time with its UTC offset (ISO 8601); a naive time is refused."""
    try:
        moment = datetime.fromisoformat(value)
        moment.utcoffset()
        if moment.tzinfo is None:
            raise ValueError
        moment.astimezone()  # years at the edge of the calendar overflow here
    except (TypeError, ValueError, OverflowError):
        raise Invalid({"recorded_at": _("Not a valid date and time with a UTC offset.")})
    return moment


def apply_visit(entry_id: uuid.UUID, entry: dict, user: User, device_id: str) -> Visit:
    data = entry["data"]
    recorded_at = parse_recorded_at(entry.get("recorded_at"))
    household = _household_in_scope(user, data.get("household_id"))
    campaign = None
    if isinstance(data.get("campaign_id"), int) and not isinstance(data.get("campaign_id"), bool):
        campaign = get_campaign(data["campaign_id"], household.village.commune_id)
    if campaign is None:
        raise Invalid({"campaign_id": _("This campaign does not exist.")})
    if db.session.get(Visit, entry_id) is not None:
        raise Invalid({"id": _("A visit with this id already exists.")})
    form = VisitForm(formdata=form_data(data, VISIT_FIELDS), meta={"csrf": False},
                     campaign=campaign, team=visits.village_team(household.village_id, user))
    if not form.validate():
        raise Invalid(form_errors(form))
    return visits.record_visit(household, campaign, user, form.clean(), visit_id=entry_id,
                               recorded_at=recorded_at, device_id=device_id, seq=entry.get("seq"))


def _household_in_scope(user: User, household_id) -> Household:
    try:
        key = uuid.UUID(str(household_id))
    except ValueError:
        key = None
    household = key and db.session.scalar(scoping.households(user).where(Household.id == key))
    if household is None:
        raise Invalid({"household_id": _("This household does not exist or is outside your area.")})
    return household


def apply_household(entry_id: uuid.UUID, entry: dict, user: User, device_id: str) -> Household:
    data = entry["data"]
    parse_recorded_at(entry.get("recorded_at"))
    village_id = data.get("village_id")
    village = None
    if isinstance(village_id, int) and not isinstance(village_id, bool):
        village = db.session.scalar(scoping.villages(user).where(Village.id == village_id))
    if village is None:
        raise Invalid({"village_id": _("This village does not exist or is outside your area.")})
    if db.session.get(Household, entry_id) is not None:
        raise Invalid({"id": _("A household with this id already exists.")})
    fields = ("code", "head_name", "address", "phone", "members", "youth", "lat", "lon")
    form = HouseholdForm(formdata=form_data(data, fields), meta={"csrf": False})
    if not form.validate():
        raise Invalid(form_errors(form))
    return add_household(village, form.data, user, household_id=entry_id)


APPLY = {"visit": apply_visit, "household": apply_household}
