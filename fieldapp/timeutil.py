"""Time conventions: the database holds naive UTC; people see Vietnam time (UTC+7)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

VN = timezone(timedelta(hours=7), "ICT")


def utcnow() -> datetime:
    """Now as naive UTC, the form every datetime column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today_vn() -> date:
    return datetime.now(VN).date()


def vn_date(moment: datetime) -> date:
    """The Vietnam calendar day of a naive-UTC column value."""
    return moment.replace(tzinfo=timezone.utc).astimezone(VN).date()


def to_utc_naive(moment: datetime) -> datetime:
    """An aware datetime as naive UTC (naive input is taken as UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def end_of_day_utc(day: date) -> datetime:
    """The last instant of `day` in Vietnam, as naive UTC (exclusive upper bound)."""
    return to_utc_naive(datetime.combine(day + timedelta(days=1), time.min, tzinfo=VN))


def iso_utc(moment: datetime | None) -> str | None:
    """Naive-UTC column value as an ISO 8601 string with 'Z'."""
    return None if moment is None else moment.replace(microsecond=0).isoformat() + "Z"
