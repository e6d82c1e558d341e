"""Laggards the commander can act on: "Ai đang chậm" with each idle or behind officer, his
villages and their coverage, his last visit as received, a tel: and a Zalo link; the
village table's "phụ trách"; each village's own target and deadline in the campaign."""
from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from fieldapp.campaigns.services import current_campaign
from fieldapp.coverage.goals import Goal
from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Visit
from fieldapp.timeutil import to_utc_naive, VN
from tests.helpers import user, village


def _laggard(html: str, username: str) -> str:
    return html.split(f'data-laggard="{username}"')[1].split("</li>")[0]


def test_goal_expects_progress_in_proportion_to_the_days_gone():
    goal = Goal(0.8, date(2025, 10, 31), True)
    start = date(2025, 10, 2)
    assert goal.expected(start, date(2025, 10, 16)) == 0.8 * 15 / 30
    assert goal.expected(start, date(2025, 10, 31)) == 0.8 == goal.expected(start, date(2025, 11, 20))
    assert goal.expected(start, date(2025, 9, 1)) == 0


def test_who_is_behind_with_what_to_call(client, auth, db_session):
    cskv3 = user("cskv3")
    cskv3.phone = "0905123456"
    db.session.commit()
    last = db.session.scalar(sa.select(sa.func.max(Visit.received_at)).where(Visit.user_id == cskv3.id))
    auth.login("chihuy")
    html = client.get("/coverage/?target=95&idle=365").get_data(as_text=True)
    entry = _laggard(html, "cskv3")
    assert f"<b>{cskv3.full_name}</b>, Cảnh sát khu vực" in entry
    assert 'href="tel:0905123456"' in entry and 'href="https://zalo.me/0905123456"' in entry
    for code in ("T11", "T12", "T13", "T14", "T15"):
        assert f"{code} " in entry
    assert last.replace(tzinfo=None) and f"{last.replace(tzinfo=__import__('datetime').timezone.utc).astimezone(VN):%d/%m/%Y %H:%M}" in entry
    assert "thôn chậm tiến độ" in entry and "data-idle-user" not in html.split('data-laggard="cskv3"')[1][:40]


def test_nobody_behind_when_the_target_is_met(client, auth, db_session):
    auth.login("chihuy")
    html = client.get("/coverage/?target=0&idle=365").get_data(as_text=True)
    assert "thôn chậm tiến độ" not in html.split('id="laggards"')[1].split("</details>")[0]
    listed = re.findall(r'data-laggard="(\w+)"', html)
    assert set(listed) == set(re.findall(r'data-idle-user="(\w+)"', html))  # only those with no visit yet


def test_the_village_table_says_who_is_in_charge(client, auth, db_session):
    auth.login("chihuy")
    html = client.get("/coverage/").get_data(as_text=True)
    assert "<th>Phụ trách</th>" in html
    cell = html.split('data-in-charge="T07"')[1].split("</td>")[0]
    assert user("cskv2").full_name in cell and user("antt7").full_name in cell
    assert user("truongthon7").full_name not in cell  # village heads read, they do not answer for it


def test_a_village_target_and_deadline(client, auth, db_session):
    campaign = current_campaign(commune_id=village("T04").commune_id)
    t04, t05 = village("T04"), village("T05")
    auth.login("chihuy")
    url = f"/campaigns/{campaign.id}/targets"
    page = client.get(url).get_data(as_text=True)
    assert f'name="target-{t04.id}"' in page and f'name="due-{t04.id}"' in page
    bad = auth.post(url, {f"target-{t04.id}": "120", f"due-{t05.id}": "01/01/2030"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "từ 1 đến 100" in text and "trong thời gian chiến dịch" in text
    due = campaign.starts_on + timedelta(days=20)
    assert auth.post(url, {f"target-{t04.id}": "1", f"due-{t04.id}": due.strftime("%d/%m/%Y"),
                           f"target-{t05.id}": "100"}).status_code == 302
    html = client.get("/coverage/?target=0&idle=365").get_data(as_text=True)
    behind = set(re.findall(r'data-behind-village="(T\d\d)"', html))
    assert behind == {"T05"}  # 100% asked of T05; T04's 1% is met, the others are asked nothing
    assert f'data-goal="T04">chỉ tiêu 1% trước {due:%d/%m}' in html
    assert auth.post(url, {f"target-{t04.id}": "", f"due-{t04.id}": ""}).status_code == 302
    db.session.rollback()
    assert [e.detail["villages"] for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "campaign_targets").order_by(AuditEvent.id))] == [2, 2]
    auth.post("/logout")
    auth.login("truongthon4")
    assert client.get(url).status_code == 403
