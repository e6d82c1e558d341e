"""Phones with wrong clocks: the server keeps each entry's skew, refuses a visit dated more
than a day after its receipt (naming the phone's clock), and as-of answers and idle lists
use the receipt time when the device's time ran ahead of it."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from fieldapp.campaigns.services import current_campaign
from fieldapp.coverage.activity import idle, officer_activity
from fieldapp.models import SyncReceipt, Visit
from fieldapp.timeutil import today_vn
from tests.accountability.visits import add_visit
from tests.helpers import households_of, unvisited_household, village
from tests.sync.helpers import campaign_id, send, visit_entry

VN = timezone(timedelta(hours=7))


def _device(delta: timedelta) -> str:
    return (datetime.now(VN) + delta).replace(microsecond=0).isoformat()


def test_a_phone_a_year_fast_is_refused_with_a_reason_naming_its_clock(client, auth, db_session):
    hs, cid = households_of("T04"), campaign_id()
    batch = [visit_entry(hs[0].id, cid, recorded_at=_device(timedelta(days=365))),
             visit_entry(hs[1].id, cid, recorded_at="9999-12-31T23:59:00+07:00"),
             visit_entry(hs[2].id, cid, recorded_at=_device(timedelta(hours=23))),
             visit_entry(hs[3].id, cid, recorded_at=_device(-timedelta(days=2)))]
    auth.login("cskv1")
    results = send(client, batch).get_json()["results"]
    assert [r["status"] for r in results] == ["quarantined", "quarantined", "created", "created"]
    for refused in results[:2]:
        assert set(refused["errors"]) == {"recorded_at"} and "Đồng hồ của điện thoại" in refused["errors"]["recorded_at"]
    assert "31/12/9999" in results[1]["errors"]["recorded_at"]
    db_session.rollback()
    skews = [db_session.get(SyncReceipt, uuid.UUID(e["id"])).skew_s for e in batch]
    assert 364 * 86400 < skews[0] < 366 * 86400 and skews[1] > 7000 * 365 * 86400
    assert 22 * 3600 < skews[2] < 24 * 3600 and -49 * 3600 < skews[3] < -47 * 3600
    assert db_session.scalar(sa.select(sa.func.count()).where(Visit.id.in_([uuid.UUID(e["id"]) for e in batch]))) == 2


def test_as_of_today_counts_a_visit_from_a_phone_that_runs_ahead(client, auth, db_session):
    household = unvisited_household("T01")
    entry = visit_entry(household.id, campaign_id(), recorded_at=_device(timedelta(hours=20)))
    auth.login("cskv1")
    send(client, [entry])
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    body = client.get(f"/api/households/{household.id}/warned?as_of={today_vn().isoformat()}").get_json()
    assert body["warned"] is True  # as the dashboard counts it
    [visit] = body["visits"]
    assert visit["visited_at"] == visit["received_at"]  # not tomorrow, as the phone said


def test_idle_lists_use_the_receipt_time_when_the_device_ran_ahead(app, db_session):
    household = households_of("T06")[0]
    campaign = current_campaign(commune_id=household.village.commune_id)
    villages = sa.select(sa.literal(village("T06").id))
    before = next(a for a in officer_activity(campaign, villages, today_vn()) if a.user.username == "cskv2").last_at
    received = before + timedelta(days=1)  # naive UTC, a day after the officer's latest visit
    visit = add_visit(household, "cskv2", "warned", (received + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M"))
    # Stored before the server refused such clocks: 31/12/9999 on the device.
    visit.recorded_at = datetime(9999, 12, 31, 16, 59)
    db_session.commit()
    on = (received + timedelta(hours=7)).date() + timedelta(days=10)
    [activity] = [a for a in officer_activity(campaign, villages, on) if a.user.username == "cskv2"]
    assert before < activity.last_at == received.replace(second=0, microsecond=0)  # received, not 9999
    assert activity.idle_days(on) == 10
    assert [a.user.username for a in idle([activity], on, 7)] == ["cskv2"]
