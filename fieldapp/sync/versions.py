"""Pack versions: "<structure hash>-<server time in ms>". A phone asking for the changes since
a version gets the households touched since that time, less a margin: a change written in a
transaction that began before the pack was made but committed after it still carries a time
before the version's, and the margin catches it (a household sent twice costs nothing)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..timeutil import utcnow

MARGIN = timedelta(seconds=60)
MAX_AGE = timedelta(days=14)  # older versions get the whole pack


def make(shape: str) -> str:
    millis = int(utcnow().replace(tzinfo=timezone.utc).timestamp() * 1000)
    return f"{shape}-{millis}"


def cutoff(version: str, shape: str) -> datetime | None:
    """The naive-UTC time from which changes must be sent for `version`, or None when the
    version is malformed, too old, from the future, or of another structure."""
    head, _sep, tail = (version or "").partition("-")
    if head != shape or not tail.isdigit() or len(tail) > 15:
        return None
    moment = datetime.fromtimestamp(int(tail) / 1000, timezone.utc).replace(tzinfo=None)
    now = utcnow()
    if not now - MAX_AGE <= moment <= now + MARGIN:
        return None
    return moment - MARGIN
