"""One current campaign everywhere, its state by its dates in Vietnam time, closing it,
visits refused outside its dates, and the demo's campaign running around seed day."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from fieldapp.campaigns.services import current_campaign
from fieldapp.extensions import db
from fieldapp.models import Campaign, CampaignTopic, QuarantinedEntry, Topic, Visit
from fieldapp.timeutil import today_vn
from tests.helpers import households_of, unvisited_household, user, village
from tests.sync.helpers import campaign_id, send, visit_entry, vn_time

FIGS = re.compile(r'<span class="v-name"><b>(T\d+)</b>.*?<span class="v-figs">([\d.]+)/', re.S)


def _campaign(name: str, starts: date, ends: date, commune_id=None, **extra) -> Campaign:
    topic = db.session.scalar(sa.select(Topic).where(Topic.code == "tu_co_lap"))
    campaign = Campaign(name=name, commune_id=commune_id, starts_on=starts, ends_on=ends,
                        campaign_topics=[CampaignTopic(topic=topic, position=0)], **extra)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def test_villages_and_coverage_agree_for_every_role(client, auth, db_session):
    """The admin's "my villages" showed every village at 0 % while the dashboard said 34 %:
    both now read the one current campaign."""
    for username in ("quantri", "chihuy", "cskv1"):
        auth.login(username)
        villages = dict(FIGS.findall(client.get("/villages/").get_data(as_text=True)))
        dashboard = client.get("/coverage/").get_data(as_text=True)
        warned = {code: int(n.replace(".", "")) for code, n in re.findall(
            r'data-village-code="(T\d+)">.*?<small class="muted">([\d.]+)/', dashboard, re.S)}
        assert villages and {c: int(n.replace(".", "")) for c, n in villages.items()} == warned, username
        assert sum(warned.values()) > 0
        client.post("/logout", data={"csrf_token": auth.token()})


def test_state_follows_the_dates_in_vietnam_time(db_session):
    campaign = Campaign(name="x", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    assert [campaign.state_on(d) for d in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31),
                                           date(2026, 4, 1))] == ["upcoming", "running", "running", "ended"]
    campaign.closed_at = datetime(2026, 4, 2)
    assert campaign.state_on(date(2026, 4, 2)) == "closed"
    # 20:00 UTC on 31 March is already 1 April in Vietnam.
    late = datetime(2026, 3, 31, 20, 0, tzinfo=timezone.utc)
    from fieldapp.timeutil import vn_date

    assert vn_date(late.replace(tzinfo=None)) == date(2026, 4, 1)
    seeded = current_campaign(user("chihuy"))
    assert seeded.state == seeded.state_on(today_vn()) == "running"


def test_the_demo_campaign_runs_around_seed_day(db_session):
    campaign = current_campaign(user("cskv1"))
    today = today_vn()  # the test database may have been seeded the day before (Vietnam time)
    assert campaign.ends_on - campaign.starts_on == timedelta(days=60)
    assert today - timedelta(days=46) <= campaign.starts_on <= today - timedelta(days=45)
    last = db.session.scalar(sa.select(sa.func.max(Visit.recorded_at)))
    assert last is not None and last.date() < today  # visits on its past days only


def test_current_campaign_running_then_latest_ended_then_next(db_session):
    chihuy = user("chihuy")
    seeded = current_campaign(chihuy)
    today = today_vn()
    ended = _campaign("Đợt trước", today - timedelta(days=200), today - timedelta(days=150), chihuy.commune_id)
    _campaign("Đợt sau", today + timedelta(days=100), today + timedelta(days=130), chihuy.commune_id)
    assert current_campaign(chihuy).id == seeded.id  # running wins
    seeded.ends_on = today - timedelta(days=1)
    db.session.commit()
    assert current_campaign(chihuy).id == seeded.id  # between campaigns: the latest to end
    seeded.ends_on, seeded.starts_on = today - timedelta(days=300), today - timedelta(days=320)
    db.session.commit()
    assert current_campaign(chihuy).id == ended.id
    assert current_campaign(user("quantri")).id == ended.id  # the admin: the only commune's


def test_commander_closes_an_ended_campaign_after_confirming(client, auth, db_session):
    campaign = current_campaign(user("chihuy"))
    auth.login("chihuy")
    assert client.get(f"/campaigns/{campaign.id}/close").status_code == 409  # still running
    db_session.rollback()  # the test's read snapshot predates the requests' writes
    campaign.ends_on = today_vn() - timedelta(days=1)
    campaign.starts_on = min(campaign.starts_on, campaign.ends_on)
    db_session.commit()
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-campaign-state="ended"' in page and f"/campaigns/{campaign.id}/close" in page
    confirm = client.get(f"/campaigns/{campaign.id}/close").get_data(as_text=True)
    assert "Khóa sổ chiến dịch?" in confirm and 'method="post"' in confirm
    assert auth.post(f"/campaigns/{campaign.id}/close").status_code == 302
    db_session.rollback()
    assert db_session.get(Campaign, campaign.id).state == "closed"
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv1")
    assert client.get(f"/campaigns/{campaign.id}/close").status_code == 403
    answer = send(client, [visit_entry(unvisited_household("T01").id, campaign.id, recorded_at=vn_time(5))])
    result = answer.get_json()["results"][0]
    assert result["status"] == "quarantined" and "đã khóa sổ" in result["errors"]["campaign_id"]


def test_visits_outside_the_campaign_are_refused_with_the_reason(client, auth, db_session):
    campaign = current_campaign(user("cskv1"))
    household = unvisited_household("T02")
    before = campaign.starts_on - timedelta(days=1)
    auth.login("cskv1")
    result = send(client, [visit_entry(household.id, campaign.id, recorded_at=f"{before}T10:00:00+07:00")]).get_json()
    reason = result["results"][0]["errors"]["recorded_at"]
    assert result["results"][0]["status"] == "quarantined"
    assert f"{before:%d/%m/%Y} nằm ngoài thời gian của chiến dịch" in reason
    assert f"{campaign.starts_on:%d/%m/%Y} – {campaign.ends_on:%d/%m/%Y}" in reason
    # 23:30 the day before the start at UTC+7 is outside; 00:30 on the first day is inside.
    edge = [visit_entry(household.id, campaign.id, recorded_at=f"{before}T23:30:00+07:00"),
            visit_entry(household.id, campaign.id, recorded_at=f"{before}T17:30:00+00:00")]
    assert [r["status"] for r in send(client, edge).get_json()["results"]] == ["quarantined", "created"]
    # Between campaigns the web form refuses too, with the reason, and writes nothing.
    db_session.rollback()
    campaign.starts_on, campaign.ends_on = today_vn() + timedelta(days=3), today_vn() + timedelta(days=9)
    db_session.commit()
    answer = auth.post(f"/households/{household.id}/quick", {"outcome": "warned"})
    assert answer.status_code == 409 and "nằm ngoài thời gian của chiến dịch" in answer.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count(QuarantinedEntry.id))) == 2


def test_home_sends_each_role_to_its_place(client, auth, db_session):
    assert client.get("/").headers["Location"].endswith("/login")
    expected = {"cskv1": "/villages/", "antt7": f"/villages/{village('T07').id}",
                "truongthon3": f"/coverage/villages/{village('T03').id}", "chihuy": "/coverage/",
                "quantri": "/coverage/"}
    for username, place in expected.items():
        auth.login(username)
        answer = client.get("/")
        assert answer.status_code == 302 and answer.headers["Location"] == place, username
        assert client.get(place).status_code == 200
        client.post("/logout", data={"csrf_token": auth.token()})


def test_in_force_and_covers_agree_in_python_and_sql(db_session):
    from fieldapp.models import Assignment

    visits = db.session.scalars(sa.select(Visit).limit(40)).all()
    visits[0].replaced_at, visits[0].replaced_reason = datetime(2026, 1, 1), "withdrawn"
    db.session.commit()
    in_sql = set(db.session.scalars(sa.select(Visit.id).where(Visit.in_force, Visit.id.in_([v.id for v in visits]))))
    assert in_sql == {v.id for v in visits if v.in_force} and visits[0].id not in in_sql
    rows = db.session.scalars(sa.select(Assignment).limit(10)).all()
    rows[0].ends_on = rows[0].starts_on + timedelta(days=3)
    db.session.commit()
    for day in (rows[0].starts_on - timedelta(days=1), rows[0].starts_on + timedelta(days=2),
                rows[0].starts_on + timedelta(days=4)):
        sql = set(db.session.scalars(sa.select(Assignment.id).where(Assignment.covers(day),
                                                                    Assignment.id.in_([a.id for a in rows]))))
        assert sql == {a.id for a in rows if a.covers(day)}, day


def test_no_module_writes_the_in_force_or_covers_rule_by_hand():
    """One rule, one place: `Visit.in_force` / `Visit.counted_in` / `Visit.in_force_by` and
    `Assignment.covers` / `Assignment.overlaps` state them; nothing else spells them out."""
    from pathlib import Path

    import fieldapp

    root = Path(fieldapp.__file__).parent
    hand_written = re.compile(r"replaced_at\.is_\(None\)|replaced_at is None|Assignment\.starts_on <=")
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name != "models.py" and hand_written.search(p.read_text())]
    assert offenders == []
