"""The summary rows stay equal to a full recount whatever changes: visits of every outcome
through sync, corrections, an undo, households added in the field, moved, merged, imported.
Upkeep runs in the same transaction as the change (see coverage.rollups)."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from fieldapp.coverage import rollups
from fieldapp.extensions import db
from fieldapp.models import Household, HouseholdMark, Visit
from fieldapp.visits import services as visits
from tests.helpers import households_of, user, village
from tests.register.files import GOOD, csv_file
from tests.sync.helpers import campaign_id, household_entry, send, statuses, visit_entry, vn_time

from .summaries import assert_summaries_match_a_recount


def test_the_seeded_demo_has_summaries_equal_to_a_recount(db_session):
    assert db_session.scalar(sa.select(sa.func.count()).select_from(HouseholdMark)) > 0
    assert_summaries_match_a_recount()


def test_sync_of_every_outcome_keeps_the_summaries_equal(client, auth, db_session):
    auth.login("cskv1")
    homes = households_of("T01") + households_of("T02")
    campaign = campaign_id()
    entries = [visit_entry(h.id, campaign, seq=n, outcome=outcome,
                           recorded_at=vn_time(2 + n % 5, f"{7 + n % 12:02d}:15:00"),
                           **({} if outcome == "warned" else {"topics": [], "materials": [], "people_reached": 0,
                                                               "youth_reached": 0}))
               for n, (h, outcome) in enumerate(zip(homes, ["warned", "nobody_home", "refused", "moved_away"] * 5))]
    entries.append(household_entry(village("T01").id, seq=99))
    assert set(statuses(send(client, entries))) == {"created"}
    assert_summaries_match_a_recount()
    # the same households again: a warned visit on top of a refusal, a moved-away on top of warned
    again = [visit_entry(h.id, campaign, seq=200 + n, outcome=o, recorded_at=vn_time(1, "20:00:00"),
                         **({} if o == "warned" else {"topics": [], "materials": [], "people_reached": 0,
                                                       "youth_reached": 0}))
             for n, (h, o) in enumerate(zip(homes[:4], ["moved_away", "warned", "warned", "nobody_home"]))]
    assert set(statuses(send(client, again))) == {"created"}
    assert_summaries_match_a_recount()


def test_a_batch_that_fails_in_bulk_is_kept_entry_by_entry_with_its_summaries(client, auth, db_session):
    """The sync run inserts a batch's visits in bulk (no ORM flush sees them) in one savepoint;
    when that fails after the insert, it tries again with a savepoint per entry. The visits that
    stand are in the summaries at the commit, the failed one is not, and nothing drifts."""
    marks = sa.select(HouseholdMark.household_id).where(HouseholdMark.campaign_id == campaign_id())
    already = set(db_session.scalars(marks))
    homes = [h for h in households_of("T01") + households_of("T02") if h.id not in already][:3]
    assert len(homes) == 3
    batch = [visit_entry(h.id, campaign_id(), seq=n, recorded_at=vn_time(2, "08:30:00"))
             for n, h in enumerate(homes, 1)]
    calls = []

    def failing_after_the_insert(_sender, visits, **_extra):  # runs after the summaries' receiver
        calls.append(len(visits))
        if any(row["household_id"] == homes[1].id for row in visits):
            raise RuntimeError("injected after the visits were inserted")

    auth.login("cskv1")
    with visits.visits_stored.connected_to(failing_after_the_insert):
        answers = statuses(send(client, batch))
    assert answers == ["created", "retry", "created"] and calls[0] == 3  # in bulk first, then one by one
    db_session.rollback()
    marked = set(db_session.scalars(marks))
    assert {homes[0].id, homes[2].id} <= marked and homes[1].id not in marked
    assert_summaries_match_a_recount()
    assert statuses(send(client, batch)) == ["duplicate", "created", "duplicate"]
    db_session.rollback()
    assert homes[1].id in set(db_session.scalars(marks))
    assert_summaries_match_a_recount()


def test_a_correction_and_an_undo_move_the_household_back(client, auth, db_session, app):
    home = households_of("T03")[0]
    campaign = db_session.scalar(sa.select(visits.Campaign).order_by(visits.Campaign.id))
    officer = user("cskv1")
    first = visits.record_visit(home, campaign, officer, {"outcome": "warned", "topics": ["tu_co_lap"]},
                                recorded_at=datetime.fromisoformat("2025-11-12T09:00:00+07:00"))
    db_session.commit()
    assert_summaries_match_a_recount()
    visits.record_visit(db_session.get(Household, home.id), campaign, officer, {"outcome": "nobody_home"},
                        recorded_at=datetime.fromisoformat("2025-11-12T09:05:00+07:00"),
                        supersedes=db_session.get(Visit, first.id))
    db_session.commit()
    assert_summaries_match_a_recount()
    auth.login("cskv1")
    tapped = visits.record_visit(db_session.get(Household, home.id), campaign, officer, {"outcome": "warned"})
    db_session.commit()
    assert auth.post(f"/households/visits/{tapped.id}/undo").status_code == 302
    assert_summaries_match_a_recount()


def test_households_moved_merged_edited_and_imported_keep_the_summaries_equal(runner, client, auth, db_session,
                                                                             tmp_path):
    auth.login("chihuy")
    a, b, c = households_of("T04")[:3]
    assert auth.post(f"/register/households/{a.id}/status", {"status": "moved"}).status_code == 302
    assert auth.post(f"/register/households/{b.id}/merge", {"into": str(c.id), "confirmed": "1"}).status_code == 302
    assert_summaries_match_a_recount()
    home = db_session.get(Household, households_of("T05")[0].id)
    home.youth, home.members = (0, 3) if home.youth else (2, 5)
    db_session.commit()
    assert_summaries_match_a_recount()
    result = runner.invoke(args=["import-households", str(csv_file(tmp_path / "h.csv", GOOD))])
    assert result.exit_code == 0, result.output
    assert_summaries_match_a_recount()


def test_a_rolled_back_change_leaves_nothing_behind(db_session):
    home = households_of("T06")[0]
    db_session.add(Visit(id=uuid.uuid4(), household_id=home.id, campaign_id=campaign_id(), user_id=user("cskv1").id,
                         outcome="warned", recorded_at=datetime(2025, 11, 12, 2)))
    db_session.flush()
    assert db.session.info.get(rollups.HOUSEHOLDS_KEY) == {home.id}
    db_session.rollback()
    assert not db.session.info.get(rollups.HOUSEHOLDS_KEY)
    assert_summaries_match_a_recount()
