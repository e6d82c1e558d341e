"""Pack versions: "<structure hash>-<time in ms>". A phone asking for the changes since a
version gets the households touched since that time, less a margin: a change written in a
transaction that began before the pack was read but committed after it carries a time before
the version's, and the margin catches it (a household sent twice costs nothing).

On PostgreSQL the time is pinned ("<hash>-p<ms>.<ms made>"): the version is taken before the pack is
read, at the start of the oldest transaction then open on the database (never more than
`MARGIN` back, as before: a longer transaction is not waited for). Whatever a pack could not see was written by a transaction open at that
moment or begun later, so its times are not before the version's, and only `SKEW` (the app
servers' clocks against each other) is added: a phone refreshing every few seconds gets what
changed since, not the last minute again. (PostgreSQL shows a transaction's start only to
its own role: app servers and workers share one DATABASE_URL; a session of another role on the
database, whose start is hidden, brings back the plain `MARGIN`.) Elsewhere (SQLite: one
server) the plain time and `MARGIN`."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from ..extensions import db
from ..timeutil import utcnow

MARGIN = timedelta(seconds=60)
SKEW = timedelta(seconds=2)  # NTP keeps servers within milliseconds
MAX_AGE = timedelta(days=14)  # older versions get the whole pack
PINNED = "p"
# The oldest transaction open on the database, and whether a session is hidden from us (another
# role's, shown with no state and no kind): then its start is unknown and `MARGIN` applies.
OLDEST_OPEN = sa.text(
    "SELECT min(xact_start) AT TIME ZONE 'UTC', "
    "coalesce(bool_or(state IS NULL AND backend_type IS NULL), false) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def make(shape: str) -> str:
    """The version of a pack or delta about to be read: call it before the reads."""
    now = utcnow()
    if db.session.get_bind().dialect.name != "postgresql":
        return f"{shape}-{_millis(now)}"
    oldest, hidden = db.session.execute(OLDEST_OPEN).one()
    moment = now - MARGIN if hidden else max(min(now, oldest or now), now - MARGIN)
    return f"{shape}-{PINNED}{_millis(moment)}.{_millis(now)}"  # the time made, so each version differs


def _millis(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def cutoff(version: str, shape: str) -> datetime | None:
    """The naive-UTC time from which changes must be sent for `version`, or None when the
    version is malformed, too old, from the future, or of another structure."""
    head, _sep, tail = (version or "").partition("-")
    pinned = tail.startswith(PINNED)
    if pinned:
        tail = tail.removeprefix(PINNED).partition(".")[0]
    if head != shape or not tail.isdigit() or len(tail) > 15:
        return None
    moment = datetime.fromtimestamp(int(tail) / 1000, timezone.utc).replace(tzinfo=None)
    now = utcnow()
    if not now - MAX_AGE <= moment <= now + MARGIN:
        return None
    return moment - (SKEW if pinned else MARGIN)
