"""The reporting period of a report: ?from=YYYY-MM-DD&to=YYYY-MM-DD, by default the seven
days that end on the campaign's reference day (today while it runs). Reports show the
period's figures beside the cumulative ones. A malformed date or a period that ends before
it starts answers 400 with a message naming the parameter."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, request
from flask_babel import gettext as _

WEEK = 7


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=_("Parameter “%(name)s” must be a date written YYYY-MM-DD, e.g. 2025-11-12.",
                                 name=name))


def period_arg(reference: date) -> Period:
    """The requested period; a missing end is `reference`, a missing start the week before it."""
    start, end = _date_arg("from"), _date_arg("to")
    end = end or (reference if start is None else max(reference, start))
    start = start or end - timedelta(days=WEEK - 1)
    if end < start:
        abort(400, description=_("The period ends (%(end)s) before it starts (%(start)s).",
                                 end=f"{end:%d/%m/%Y}", start=f"{start:%d/%m/%Y}"))
    return Period(start, end)
