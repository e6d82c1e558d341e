"""Applying one outbox entry: a visit (a correction when it `supersedes` another), a
withdrawal or a field-added household, validated like the web forms (a visit by the rules the
visit form is built from, `visits.rules.check`, with no form per entry).

`APPLY[type](entry_id, entry, lookups, device_id)` checks an entry and writes it, or raises
`Invalid(errors)` with Vietnamese field errors (keyed by field name) before writing anything;
the caller quarantines it. A visit's rows go to `lookups.new_visits`, which the batch inserts
together (`visits.store_visits`); other entries write at once (the batch stores the visits
gathered so far before applying one, so it finds them in the database).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from ..auth import scoping
from ..auth.models import User
from ..campaigns.services import get_campaign
from ..extensions import db
from ..households.forms import HouseholdForm
from ..households.services import add_household
from ..households.models import Household
from ..register.models import Village
from ..timeutil import to_utc_naive, utcnow, vn_date
from ..visits import corrections, services as visits
from ..visits import rules as visit_rules
from ..visits.models import Visit


MAX_AHEAD = timedelta(days=1)  # how far a visit's device time may run ahead of its receipt
VISIT_FIELDS = ("outcome", "topics", "materials", "people_reached", "youth_reached",
                "commitment_signed", "companions", "note", "lat", "lon", "accuracy_m")


class Invalid(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def posted(data: dict, fields: tuple[str, ...]) -> dict[str, list[str]]:
    """JSON values as the values a browser would post, by field (lists repeat, false and
    null are absent)."""
    raw = {}
    for name in fields:
        value = data.get(name)
        if value is None or value is False:
            continue
        raw[name] = ["y" if item is True else str(item) for item in (value if isinstance(value, list) else [value])]
    return raw


def form_data(data: dict, fields: tuple[str, ...]) -> MultiDict:
    """JSON values as the form data a browser would post."""
    return MultiDict([(name, item) for name, items in posted(data, fields).items() for item in items])


def check_visit(data: dict, choices: tuple[set, set]) -> dict:
    """The visit's values by the visit form's rules (`visits.rules`), or Invalid."""
    values, errors = visit_rules.check(posted(data, VISIT_FIELDS), *choices)
    if errors:
        raise Invalid(errors)
    return values


def form_errors(form) -> dict[str, str]:
    return {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()}


def parse_recorded_at(value) -> datetime:
    """The device's time with its UTC offset (ISO 8601); a naive time is refused."""
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError
        moment.astimezone()  # years at the edge of the calendar overflow here
    except (TypeError, ValueError, OverflowError):
        raise Invalid({"recorded_at": _("Not a valid date and time with a UTC offset.")})
    return moment


def check_clock(moment: datetime, received_at: datetime) -> None:
    """Refuse a visit dated more than `MAX_AHEAD` after the server received it: the phone's
    clock is wrong, and the visit would count as done on a day that has not come."""
    if to_utc_naive(moment) - received_at > MAX_AHEAD:
        raise Invalid({"recorded_at": _(
            "The phone's clock is wrong: this visit is dated %(at)s, more than a day after the server "
            "received it. Set the phone's date and time, then record the visit again.",
            at=moment.strftime("%d/%m/%Y %H:%M"))})


def row_id(value) -> int | None:
    """An integer primary key from JSON, or None: not a whole number (true is no id), or out
    of the database's range (PostgreSQL would refuse to compare it, failing the entry)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= scoping.MAX_ID:
        return value
    return None


class Lookups:
    """What a batch's entries refer to, read in a few queries for the whole batch (a
    200-entry batch must stay well under 300 ms), then cached."""

    def __init__(self, user: User, entries: list[dict], received_at: datetime | None = None):
        self.user = user
        keys = {as_uuid(e["data"].get("household_id")) for e in entries if e.get("type") == "visit"} - {None}
        self.households = {h.id: h for h in db.session.scalars(
            scoping.households(user).where(Household.id.in_(keys)).options(joinedload(Household.village)))} if keys else {}
        ids = {as_uuid(e.get("id")) for e in entries} - {None}
        self.visit_ids = set(db.session.scalars(sa.select(Visit.id).where(Visit.id.in_(ids)))) if ids else set()
        self.campaigns: dict = {}
        # The teams of the households' villages (who may go along on a visit), in one query.
        self.teams = visits.village_teams(sorted({h.village_id for h in self.households.values()}), user) \
            if self.households else {}
        self.choices: dict = {}
        self.packages: dict = {}
        self.received_at = received_at or utcnow()
        # Visits of the entries applied so far, inserted together by the batch (`store_visits`).
        self.new_visits = visits.NewVisits()
        self.audit_rows: list[dict] = []  # the current entry's audit events, kept by the batch once it stands

    def forget(self, entry_id: uuid.UUID) -> None:
        """What this entry added was rolled back: its visit or household id is free again."""
        self.visit_ids.discard(entry_id)
        self.households.pop(entry_id, None)

    def household(self, key: uuid.UUID | None) -> Household | None:
        if key is not None and key not in self.households:  # e.g. added earlier in this batch
            self.households[key] = db.session.scalar(scoping.households(self.user).where(Household.id == key))
        return self.households.get(key)

    def campaign(self, campaign_id, commune_id: int):
        if row_id(campaign_id) is None:
            return None
        if (campaign_id, commune_id) not in self.campaigns:
            self.campaigns[campaign_id, commune_id] = get_campaign(campaign_id, commune_id)
        return self.campaigns[campaign_id, commune_id]

    def visit_choices(self, campaign, village_id: int) -> tuple[set, set]:
        """The topics and companions the visit form would offer, by campaign and village."""
        key = (campaign.id, village_id)
        if key not in self.choices:
            self.choices[key] = ({t.code for t in campaign.topics}, {u.username for u in self.team(village_id)})
        return self.choices[key]

    def package(self, campaign, outcome: str) -> dict:
        """The campaign's standard values for the outcome (`visits.standard_values`), once."""
        if (campaign.id, outcome) not in self.packages:
            self.packages[campaign.id, outcome] = visits.standard_values(campaign, outcome)
        return self.packages[campaign.id, outcome]

    def team(self, village_id: int) -> list[User]:
        if village_id not in self.teams:
            self.teams[village_id] = visits.village_team(village_id, self.user)
        return self.teams[village_id]


def as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def changed_visit(user: User, data: dict, key: str) -> Visit:
    """The visit a correction or withdrawal names (`data[key]`), checked like the web pages."""
    visit = corrections.visit_in_area(user, data.get(key))
    if visit is None:
        raise Invalid({key: _("This visit does not exist or is outside your area.")})
    if refused := corrections.refusal(visit, user):
        raise Invalid({key if refused[0] == "visit_id" else refused[0]: refused[1]})
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise Invalid({"reason": _("Give the reason (at most 500 characters).")})
    return visit


def apply_visit(entry_id: uuid.UUID, entry: dict, lookups: Lookups, device_id: str) -> uuid.UUID:
    """Check a visit entry and add its rows to `lookups.new_visits` (the batch stores them)."""
    data, user = entry["data"], lookups.user
    if "supersedes" in data:
        return apply_correction(entry_id, entry, lookups, device_id)
    recorded_at = parse_recorded_at(entry.get("recorded_at"))
    check_clock(recorded_at, lookups.received_at)
    household = lookups.household(as_uuid(data.get("household_id")))
    if household is None:
        raise Invalid({"household_id": _("This household does not exist or is outside your area.")})
    campaign = lookups.campaign(data.get("campaign_id"), household.village.commune_id)
    if campaign is None:
        raise Invalid({"campaign_id": _("This campaign does not exist.")})
    if reason := visits.refusal(campaign, vn_date(to_utc_naive(recorded_at))):
        raise Invalid({"campaign_id" if campaign.closed_at else "recorded_at": reason})
    if entry_id in lookups.visit_ids:
        raise Invalid({"id": _("A visit with this id already exists.")})
    values = check_visit(data, lookups.visit_choices(campaign, household.village_id))
    lookups.visit_ids.add(entry_id)
    return visits.visit_rows(household, campaign, user, values, lookups.new_visits, visit_id=entry_id,
                             recorded_at=recorded_at, device_id=device_id, seq=entry.get("seq"),
                             package=lookups.package(campaign, values["outcome"]))


def apply_correction(entry_id: uuid.UUID, entry: dict, lookups: Lookups, device_id: str) -> Visit:
    """The corrected record of a visit, for the same household and campaign, at the time of
    the visit it corrects."""
    data, user = entry["data"], lookups.user
    parse_recorded_at(entry.get("recorded_at"))
    visit = changed_visit(user, data, "supersedes")
    if str(visit.household_id) != str(data.get("household_id")):
        raise Invalid({"household_id": _("A correction is for the household of the visit it corrects.")})
    if entry_id in lookups.visit_ids:
        raise Invalid({"id": _("A visit with this id already exists.")})
    values = check_visit(data, lookups.visit_choices(visit.campaign, visit.household.village_id))
    lookups.visit_ids.add(entry_id)
    return corrections.correct(visit, user, values, data["reason"], visit_id=entry_id, device_id=device_id,
                               seq=entry.get("seq"), audit_rows=lookups.audit_rows)


def apply_withdrawal(entry_id: uuid.UUID, entry: dict, lookups: Lookups, device_id: str):
    """Withdraw the visit `data.visit_id`, with the reason given."""
    data, user = entry["data"], lookups.user
    recorded_at = parse_recorded_at(entry.get("recorded_at"))
    visit = changed_visit(user, data, "visit_id")
    return corrections.withdraw(visit, user, data["reason"], withdrawal_id=entry_id,
                                recorded_at=to_utc_naive(recorded_at), device_id=device_id)


def apply_household(entry_id: uuid.UUID, entry: dict, lookups: Lookups, device_id: str) -> Household:
    data, user = entry["data"], lookups.user
    parse_recorded_at(entry.get("recorded_at"))
    village_id, village = row_id(data.get("village_id")), None
    if village_id is not None:
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


APPLY = {"visit": apply_visit, "household": apply_household, "withdrawal": apply_withdrawal}
