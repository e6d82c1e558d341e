"""What a verdict says, in words, relative to the incident's date: the page, the printable
page and the Word document read the same sentences from here.

"Chưa được cảnh báo trước ngày 20/11/2025; được cảnh báo sau đó ngày 22/11/2025." A household
warned after the incident is never said to have been "never visited".
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _, ngettext

from ..i18n import vn_date, vn_datetime
from ..labels import OUTCOMES
from ..timeutil import end_of_day_utc
from .queries import Verdict


def person(user) -> str:
    """Full name and title: "Nguyễn Văn An, Cảnh sát khu vực" (the username is shown apart,
    in small print, where a page has room)."""
    return f"{user.display_name}, {user.title}" if user.title else user.display_name


def people(users) -> str:
    return "; ".join(person(u) for u in users)


def headline(verdict: Verdict, incident_on: date) -> str:
    """One sentence: was the household warned before the incident's day, and if not, since?"""
    day = vn_date(incident_on)
    if verdict.warned:
        first = verdict.warned_visits[0]
        return _("Warned before %(day)s: on %(when)s, by %(people)s.", day=day,
                 when=vn_date(first.recorded_at), people=people(first.people))
    if verdict.later is not None:
        return _("Not warned before %(day)s; warned afterwards on %(later)s.", day=day,
                 later=vn_date(verdict.later_on))
    return _("Not warned before %(day)s; still not warned today.", day=day)


def before_line(verdict: Verdict) -> str | None:
    """What the visits before the day found, when they warned nobody."""
    if verdict.warned or not verdict.visits:
        return None
    found = ", ".join(f"{vn_datetime(v.recorded_at)} {OUTCOMES.label(v.outcome).lower()} ({people(v.people)})"
                      for v in verdict.visits)
    return ngettext("Before that day: %(num)d visit that warned nobody: %(visits)s.",
                    "Before that day: %(num)d visits that warned nobody: %(visits)s.",
                    len(verdict.visits), visits=found)


def later_line(verdict: Verdict) -> str | None:
    """Who warned the household after the incident, and when."""
    if verdict.later is None:
        return None
    return _("Warned on %(when)s by %(people)s (received by the server %(received)s).",
             when=vn_datetime(verdict.later.recorded_at), people=people(verdict.later.people),
             received=vn_datetime(verdict.later.received_at))


def trail_state(visit, cutoff) -> str:
    """A visit's place in the trail: on record before the incident or after, and whether it
    was corrected or withdrawn since (`cutoff`: the start of the incident's day, as UTC)."""
    before = visit.received_at < cutoff and visit.recorded_at < cutoff
    state = _("on record before the incident") if before else _("on record after the incident")
    if visit.in_force:
        return state
    change = _("withdrawn on %(when)s") if visit.replaced_reason == "withdrawn" else _("corrected on %(when)s")
    return f"{state}; {change % {'when': vn_datetime(visit.replaced_at)}}"


def account(verdict: Verdict, incident_on: date) -> dict:
    """Everything the verdict says, for the page, the printable page and the Word document."""
    cutoff = end_of_day_utc(verdict.as_of)
    return {"headline": headline(verdict, incident_on), "before": before_line(verdict),
            "later": later_line(verdict),
            "trail": [(visit, trail_state(visit, cutoff)) for visit in verdict.trail]}
