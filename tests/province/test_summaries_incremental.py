"""The summary upkeep of new visits in force, computed from a household's mark and the new
visits alone (`marks.add_new`), equals a full recount (`rebuild()`): mixed outcomes,
several visits to one household in a batch, a resent entry, households already marked (a
better kind, the same kind earlier or later, a lesser kind), Vietnam midnight, and the
entry-by-entry fallback. Each test also checks that the incremental path did the work."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldapp.auth import scoping
from fieldapp.coverage import marks
from fieldapp.models import Household, HouseholdMark
from fieldapp.visits import services as visits
from tests.helpers import user
from tests.sync.helpers import campaign_id, send, statuses, visit_entry, vn_time

from .summaries import assert_summaries_match_a_recount

ATTEMPT = {"topics": [], "materials": [], "people_reached": 0, "youth_reached": 0}


def entry(home, outcome: str, days_ago: int, clock: str, seq: int = 1, **extra) -> dict:
    return visit_entry(home.id, campaign_id(), seq=seq, outcome=outcome, recorded_at=vn_time(days_ago, clock),
                       **({} if outcome == "warned" else ATTEMPT), **extra)


@pytest.fixture
def paths(monkeypatch):
    """How many households each path of the upkeep settled."""
    seen = {"added": 0, "full": 0}
    add, full = marks.add_new, marks.refresh

    def counting_add(connection, added, homes):
        seen["added"] += len(added)
        return add(connection, added, homes)

    def counting_full(connection, ids):
        seen["full"] += len(ids)
        return full(connection, ids)

    monkeypatch.setattr(marks, "add_new", counting_add)
    monkeypatch.setattr(marks, "refresh", counting_full)
    return seen


def unmarked(db_session, n: int) -> list:
    """`n` households of cskv1's area with no mark yet in the campaign."""
    marked = set(db_session.scalars(sa.select(HouseholdMark.household_id)
                                     .where(HouseholdMark.campaign_id == campaign_id())))
    homes = [h for h in db_session.scalars(scoping.households(user("cskv1")).order_by(Household.id))
             if h.id not in marked]
    assert len(homes) >= n
    return homes[:n]


def test_a_mixed_batch_on_new_households_equals_a_recount(client, auth, db_session, paths):
    auth.login("cskv1")
    homes = unmarked(db_session, 6)
    a, b, c, d, e, f = homes
    batch = [entry(a, "warned", 3, "09:00:00"), entry(a, "warned", 2, "09:00:00"),      # earliest warned wins
             entry(b, "nobody_home", 2, "10:00:00"), entry(b, "warned", 1, "08:00:00"),  # warned beats tried
             entry(c, "moved_away", 3, "07:00:00"), entry(c, "refused", 2, "07:00:00"),  # tried beats moved
             entry(d, "moved_away", 1, "11:00:00"),
             entry(e, "refused", 2, "06:59:59"), entry(e, "nobody_home", 2, "07:00:00"),
             entry(f, "warned", 2, "00:00:00"), entry(f, "warned", 3, "23:59:59")]     # Vietnam midnight
    batch.append(dict(batch[0]))  # the same entry twice in one batch
    assert statuses(send(client, batch)) == ["created"] * 11 + ["duplicate"]
    assert paths == {"added": 6, "full": 0}
    assert_summaries_match_a_recount()


def test_visits_to_households_already_marked_equal_a_recount(client, auth, db_session, paths):
    auth.login("cskv1")
    homes = unmarked(db_session, 7)
    first = [entry(homes[0], "warned", 2, "09:00:00"), entry(homes[1], "warned", 2, "09:00:00"),
             entry(homes[2], "nobody_home", 2, "09:00:00"), entry(homes[3], "nobody_home", 2, "09:00:00"),
             entry(homes[4], "moved_away", 2, "09:00:00"), entry(homes[5], "refused", 2, "09:00:00"),
             entry(homes[6], "warned", 2, "09:00:00")]
    assert set(statuses(send(client, first))) == {"created"}
    assert_summaries_match_a_recount()
    then = [entry(homes[0], "warned", 3, "20:00:00"),        # the same kind, a day earlier
            entry(homes[1], "warned", 1, "09:00:00"),        # the same kind, later: nothing moves
            entry(homes[2], "warned", 1, "09:00:00"),        # a better kind, later
            entry(homes[3], "moved_away", 4, "09:00:00"),    # a lesser kind, earlier: nothing moves
            entry(homes[4], "refused", 1, "16:59:59"),       # better than moved
            entry(homes[5], "nobody_home", 2, "08:59:00"),   # the same kind, the same day, earlier
            entry(homes[6], "refused", 3, "09:00:00"), entry(homes[6], "warned", 3, "10:00:00")]
    assert set(statuses(send(client, then))) == {"created"}
    assert paths == {"added": 14, "full": 0}
    assert_summaries_match_a_recount()


def test_the_entry_by_entry_fallback_recounts_in_full_and_equals_a_recount(client, auth, db_session, paths):
    """A batch that fails in bulk after its visits were inserted is rolled back to its
    savepoint: the visits noted as new may be gone, so their households are recounted in full."""
    homes = unmarked(db_session, 3)
    batch = [entry(h, outcome, 2, "09:00:00", seq=n) for n, (h, outcome)
             in enumerate(zip(homes, ["warned", "nobody_home", "moved_away"]), 1)]

    def failing(_sender, visits, **_extra):
        if any(row["household_id"] == homes[1].id for row in visits):
            raise RuntimeError("injected after the visits were inserted")

    auth.login("cskv1")
    with visits.visits_stored.connected_to(failing):
        assert statuses(send(client, batch)) == ["created", "retry", "created"]
    assert paths["full"] >= 2
    assert_summaries_match_a_recount()
    paths.update(added=0, full=0)
    assert statuses(send(client, batch)) == ["duplicate", "created", "duplicate"]
    assert paths == {"added": 1, "full": 0}
    assert_summaries_match_a_recount()


def test_new_visits_to_a_household_changed_otherwise_are_recounted_in_full(client, auth, db_session, paths):
    """A household noted by a flush as well (here: a correction of its visit) takes the full
    recount, whatever new visits it also got."""
    auth.login("cskv1")
    home = unmarked(db_session, 1)[0]
    original = entry(home, "warned", 2, "09:00:00")
    assert statuses(send(client, [original])) == ["created"]
    correction = entry(home, "nobody_home", 2, "09:00:00", supersedes=original["id"], reason="Nhầm hộ")
    later = entry(home, "refused", 1, "09:00:00", seq=2)
    assert statuses(send(client, [correction, later])) == ["created", "created"]
    assert paths["full"] == 1
    assert_summaries_match_a_recount()
