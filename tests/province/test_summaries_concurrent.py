"""Two transactions changing one household's mark, or one village's register, at once, on
PostgreSQL with two real connections: the upkeep's village lock (`coverage.locks`) makes them
take turns, and the second reads what the first wrote, so the summaries equal a recount. Each
transaction, once it holds the lock, waits a moment for the other at a barrier: without the
lock both would pass it together and work from the same old mark (the household counted twice,
or in the wrong village) or the same register count (a duplicate key). The row locks used
before (`FOR UPDATE` of the households, of the villages) deadlocked here with the `FOR KEY
SHARE` that the batches' own foreign-key checks hold on those rows."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from fieldapp.coverage import marks
from fieldapp.extensions import db
from fieldapp.models import Household
from tests.conftest import Auth
from tests.helpers import village
from tests.sync.helpers import household_entry, send, statuses

from .summaries import assert_summaries_match_a_recount
from .test_summaries_incremental import entry, unmarked

pytestmark = [pytest.mark.postgres_only, pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)]


@pytest.fixture
def side_by_side(monkeypatch):
    """Run callables in threads at once; each upkeep, right after `marks.lock_homes`, waits up
    to a second for the other one to get there too (with the lock it never does: it waits
    for the lock until the first commits)."""
    barrier = threading.Barrier(2)
    lock_homes = marks.lock_homes

    def lock_then_meet(*args, **kwargs):
        homes = lock_homes(*args, **kwargs)
        try:
            barrier.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return homes

    monkeypatch.setattr(marks, "lock_homes", lock_then_meet)

    def run(*jobs):
        answers = [None] * len(jobs)

        def go(n):
            answers[n] = jobs[n]()

        threads = [threading.Thread(target=go, args=(n,)) for n in range(len(jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        return answers

    return run


def phone(app, username: str):
    """A batch sender of its own (client, session, connection)."""
    client = app.test_client()
    Auth(client).login(username)
    token = client.get("/api/session").get_json()["csrf_token"]
    return lambda entries: statuses(send(client, entries, token=token))


def test_two_batches_with_first_visits_to_one_household(app, db_session, side_by_side):
    homes = unmarked(db_session, 2)
    db_session.rollback()
    one, two = phone(app, "cskv1"), phone(app, "cskv1")
    first = [entry(homes[0], "nobody_home", 2, "09:00:00"), entry(homes[1], "warned", 3, "09:00:00")]
    second = [entry(homes[0], "warned", 1, "09:00:00"), entry(homes[1], "refused", 1, "09:00:00")]
    answers = side_by_side(lambda: one(first), lambda: two(second))
    assert answers == [["created"] * 2] * 2
    assert_summaries_match_a_recount()


def test_a_correction_beside_a_new_visit_to_the_household(app, db_session, side_by_side):
    """The correction takes the full recount (`marks.refresh`), the new visit the mark alone
    (`marks.add_new`)."""
    home = unmarked(db_session, 1)[0]
    db_session.rollback()
    one, two = phone(app, "cskv1"), phone(app, "cskv1")
    original = entry(home, "warned", 3, "09:00:00")
    assert one([original]) == ["created"]
    correction = entry(home, "moved_away", 3, "09:00:00", supersedes=original["id"], reason="Nhầm hộ")
    later = entry(home, "nobody_home", 2, "09:00:00")
    answers = side_by_side(lambda: one([correction]), lambda: two([later]))
    assert answers == [["created"]] * 2
    assert_summaries_match_a_recount()


def test_a_household_moved_to_another_village_beside_a_visit_to_it(app, db_session, side_by_side):
    home = unmarked(db_session, 1)[0]
    before, after = home.village_id, village("T02").id if home.village_id != village("T02").id else village("T01").id
    db_session.rollback()
    visit = phone(app, "cskv1")

    def move():
        with app.app_context():
            db.session.get(Household, home.id).village_id = after
            db.session.commit()
        return "moved"

    warned = entry(home, "warned", 1, "09:00:00")
    answers = side_by_side(lambda: visit([warned]), move)
    assert answers == [["created"], "moved"]
    assert db_session.scalar(sa.select(Household.village_id).where(Household.id == home.id)) not in (None, before)
    assert_summaries_match_a_recount()


def test_two_households_added_to_one_village_at_once(app, db_session, side_by_side):
    """Each batch recounts the village's register (`rollups._recount_register`): the second
    counts the first one's household."""
    where = village("T01").id
    db_session.rollback()
    one, two = phone(app, "cskv1"), phone(app, "cskv1")
    first, second = household_entry(where, seq=1), household_entry(where, seq=2, head_name="Lê Văn Hùng")
    assert side_by_side(lambda: one([first]), lambda: two([second])) == [["created"]] * 2
    assert_summaries_match_a_recount()
