"""Personal data: what is held (page and JSON), who accessed it, and the retention purge."""
from __future__ import annotations

import uuid

from datetime import datetime

import sqlalchemy as sa

from fieldapp.coverage.queries import village_coverage
from fieldapp.accountability.personal import PURGED_NAME
from fieldapp.campaigns.services import current_campaign
from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Household, Visit
from tests.helpers import households_of, unvisited_household, user, village

from .visits import add_visit


def test_data_page_json_and_access_log(client, auth, db_session):
    household, neighbour = households_of("T01")[:2]
    add_visit(household, "cskv1", "warned", "2025-11-15 10:00")
    auth.login("cskv1")
    client.get(f"/households/{neighbour.id}")  # someone else's file: not in this log
    auth.post("/logout")
    auth.login("chihuy")
    show = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert f"/households/{household.id}/data" in show and f"/incidents/new/{household.id}" in show
    page = client.get(f"/households/{household.id}/data").get_data(as_text=True)
    assert household.head_name in page and user("cskv1").full_name in page and "#register-actions" in page
    response = client.get(f"/households/{household.id}/data.json")
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert body["household"]["head_name"] == household.head_name and body["household"]["phone"] == household.phone
    assert [v["outcome"] for v in body["visits"]][-1] == "warned" and body["incidents"] == []
    access = client.get(f"/households/{household.id}/access").get_data(as_text=True)
    for action in ("household_view", "household_data_view", "household_data_export"):
        assert f'data-action="{action}"' in access
    assert "chihuy" in access and "cskv1" not in access


def test_personal_pages_are_for_commanders_and_admins(client, auth, db_session):
    mine, other = unvisited_household("T01"), unvisited_household("T06")
    auth.login("cskv1")
    show = client.get(f"/households/{mine.id}").get_data(as_text=True)
    assert "/data" not in show  # the links are not offered either
    for suffix in ("data", "data.json", "access"):
        # Refused before any household is looked up, so the answer says nothing about the id.
        assert client.get(f"/households/{mine.id}/{suffix}").status_code == 403
        assert client.get(f"/households/{other.id}/{suffix}").status_code == 403
        assert client.get(f"/households/{uuid.uuid4()}/{suffix}").status_code == 403


def _age(code: str, moment: datetime) -> None:
    """The village's households and their visits as if last touched at `moment`."""
    db.session.execute(sa.update(Household).where(Household.village_id == village(code).id)
                       .values(created_at=moment, updated_at=moment))
    db.session.execute(sa.update(Visit).where(Visit.household_id.in_(
        sa.select(Household.id).where(Household.village_id == village(code).id))).values(received_at=moment))
    db.session.commit()


def test_purge_blanks_old_personal_fields_but_keeps_counts(runner, db_session):
    campaign = current_campaign(commune_id=village("T01").commune_id)
    t01 = village("T01")
    _age("T01", datetime(2024, 1, 1))
    before = village_coverage(campaign.id, sa.select(sa.literal(t01.id)))[0].counts
    visits_before = db.session.scalar(sa.select(sa.func.count()).select_from(Visit))
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))

    result = runner.invoke(args=["purge", "--dry-run", "--days", "30"])
    assert result.exit_code == 0 and "Sẽ xoá thông tin cá nhân của 6 hộ" in result.output
    db.session.rollback()
    assert all(h.head_name != PURGED_NAME for h in households_of("T01"))

    refused = runner.invoke(args=["purge", "--days", "30"], input="n\n")  # it asks first
    assert refused.exit_code == 1 and "Không thể hoàn tác" in refused.output
    db.session.rollback()
    assert all(h.head_name != PURGED_NAME for h in households_of("T01"))

    result = runner.invoke(args=["purge", "--days", "30"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Đã xoá thông tin cá nhân của 6 hộ" in result.output
    db.session.rollback()
    purged = households_of("T01")
    assert all(h.head_name == PURGED_NAME and h.phone is None and h.address == "" and h.lat is None
               for h in purged)
    assert all(h.members >= 1 for h in purged)
    assert all(h.named_youths == [] for h in purged)  # names gone, the count of youths kept
    assert any(h.named_youths for h in households_of("T02") if h.youth)
    assert all(h.head_name != PURGED_NAME for h in households_of("T02"))  # recent: kept
    assert village_coverage(campaign.id, sa.select(sa.literal(t01.id)))[0].counts == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == visits_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events_before + 1
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "purge"))
    assert event.detail["households"] == 6 and event.ip == "cli"
    again = runner.invoke(args=["purge", "--days", "30"])  # nothing to blank: nothing to ask
    assert again.exit_code == 0 and "của 0 hộ" in again.output
    _age("T03", datetime(2024, 1, 1))
    scheduled = runner.invoke(args=["purge", "--days", "30", "--yes"])  # no question to answer
    assert scheduled.exit_code == 0 and "Đã xoá thông tin cá nhân của 6 hộ" in scheduled.output


def test_purge_default_period_comes_from_the_setting(app, runner, db_session):
    _age("T01", datetime(2024, 1, 1))
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 100000
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "của 0 hộ" in result.output and "100000" in result.output
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 30
    assert "của 6 hộ" in runner.invoke(args=["purge", "--dry-run"]).output


def test_purge_scrubs_old_quarantined_entries(runner, db_session):
    from fieldapp.sync.models import QuarantinedEntry
    from tests.helpers import user

    raw = {"id": "e1", "type": "household", "seq": 3, "recorded_at": "2024-01-01T08:00:00+07:00",
           "data": {"village_id": 1, "head_name": "Nguyễn Văn A", "phone": "0912345678",
                    "address": "Số 3", "members": 4, "youth": 1, "lat": 15.1, "lon": 108.8}}
    db.session.add_all([
        QuarantinedEntry(entry_id="e1", user_id=user("cskv1").id, raw=raw, errors={"x": ["y"]},
                         received_at=datetime(2024, 1, 2)),
        QuarantinedEntry(entry_id="e2", user_id=user("cskv1").id, raw=raw, errors={"x": ["y"]})])
    db.session.commit()
    result = runner.invoke(args=["purge", "--days", "30", "--yes"])
    assert result.exit_code == 0 and "1 bản ghi đồng bộ" in result.output
    db.session.rollback()
    old, new = db.session.scalars(sa.select(QuarantinedEntry).order_by(QuarantinedEntry.entry_id))
    assert old.raw["data"] == {"village_id": 1, "members": 4, "youth": 1} and old.raw["seq"] == 3
    assert new.raw == raw
