"""Verified coverage (issue 14's verification sample) at province level: once a commune's
sample has answers, the province dashboard ranks by it, communes.csv carries
`verified_coverage_pct` with the sample size, and the reports put it beside the claimed
coverage; the figure is the commune's own."""
from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from fieldapp.models import Verification, VillageCheckSummary
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, statuses, visit_entry, vn_time

from .summaries import assert_summaries_match_a_recount
from .test_dashboard import HEADER, _as
from .test_reports import _docx


def _checked_sample(client, auth, db_session) -> Verification:
    """cskv1 warns T01, the commander draws the sample and records one confirmed, one denied."""
    homes = households_of("T01")
    entries = [visit_entry(h.id, campaign_id(), n, recorded_at=vn_time(1, f"08:{n:02d}:00"),
                           lat=h.lat, lon=h.lon, accuracy_m=8) for n, h in enumerate(homes)]
    auth.login("cskv1")
    assert statuses(send(client, entries)) == ["created"] * len(entries)
    _as(client, auth, "chihuy")
    assert auth.post(f"/proof/sample/draw?campaign={campaign_id()}").status_code == 302
    db_session.rollback()
    first, second = db_session.scalars(sa.select(Verification).order_by(Verification.id).limit(2))
    assert auth.post(f"/proof/sample/{first.id}", {"result": "confirmed"}).status_code in (302, 303)
    assert auth.post(f"/proof/sample/{second.id}", {"result": "denied"}).status_code in (302, 303)
    return first


def test_verified_coverage_reaches_the_province_once_a_sample_is_checked(client, auth, db_session, pa05):
    first = _checked_sample(client, auth, db_session)
    commander = client.get("/coverage/").get_data(as_text=True)
    verified = re.search(r'data-total="verified_coverage">[^<]*<b>([^<]+)</b>', commander).group(1)
    _as(client, auth, pa05)
    page = client.get("/coverage/").get_data(as_text=True)
    row = re.search(r'data-commune-code="21034".*?</tr>', page, re.S).group(0)
    assert re.search(r'data-col="verified">' + re.escape(verified) + r'<br><small class="muted">n=2<', row)
    assert f'data-total="verified">' in page and verified in page.split('data-total="verified">')[1][:40]
    assert client.get("/coverage/?sort=-verified").status_code == 200
    drill = client.get(f"/coverage/communes/{first.household.village.commune_id}").get_data(as_text=True)
    samples = re.findall(r'data-verified="\w+"[^>]*>✓ [\d,.]+% \(n=(\d+)\)', drill)
    assert sum(map(int, samples)) == 2 and 'data-total="verified"' in drill  # the villages' answers

    rows = list(csv.DictReader(io.StringIO(client.get("/exports/communes.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == HEADER + ["verified_coverage_pct", "verified_sample"]
    assert rows[0]["verified_sample"] == "2"
    assert abs(float(rows[0]["verified_coverage_pct"]) - float(rows[0]["coverage_pct"]) / 2) <= 0.1

    table = _docx(client, f"/reports/campaigns/{campaign_id()}.docx").tables[1]
    header = [c.text for c in table.rows[0].cells]
    total = dict(zip(header, (c.text for c in table.rows[-1].cells)))
    assert float(total["Độ phủ đã xác minh (%)"].rstrip("%").replace(",", ".")) == float(rows[0]["verified_coverage_pct"])
    assert "data-col=\"verified_coverage_pct\"" in client.get(f"/reports/campaigns/{campaign_id()}").get_data(as_text=True)


def test_no_verified_columns_before_any_answer(client, auth, db_session, pa05):
    auth.login(pa05)
    assert 'data-col="verified"' not in client.get("/coverage/").get_data(as_text=True)
    header = [c.text for c in _docx(client, f"/reports/campaigns/{campaign_id()}.docx").tables[1].rows[0].cells]
    assert "Độ phủ đã xác minh (%)" not in header


def _answers(db_session, village_id: int) -> dict[str, int]:
    db_session.rollback()
    return {r.result: r.households for r in db_session.scalars(
        sa.select(VillageCheckSummary).where(VillageCheckSummary.village_id == village_id))}


def test_the_sample_summaries_follow_draws_and_answers(client, auth, db_session):
    """The per-village answer counts behind verified coverage are kept as the sample is drawn
    and answered (a later answer moves the household), and equal a count of the sample."""
    first = _checked_sample(client, auth, db_session)
    answers = _answers(db_session, first.village_id)
    assert answers["confirmed"] == 1 and sum(answers.values()) == db_session.scalar(
        sa.select(sa.func.count()).select_from(Verification).where(Verification.village_id == first.village_id))
    assert_summaries_match_a_recount()
    assert auth.post(f"/proof/sample/{first.id}", {"result": "unreachable"}).status_code in (302, 303)
    del answers["confirmed"]
    answers["unreachable"] = answers.get("unreachable", 0) + 1
    assert _answers(db_session, first.village_id) == answers
    assert_summaries_match_a_recount()
