"""The verification sample: drawn at random per officer (seeded, reproducible, recorded),
checked by the commander and the village head; verified coverage from it."""
from __future__ import annotations

import csv
import io
import re
import uuid
from collections import defaultdict

import sqlalchemy as sa

from fieldapp.models import Verification, VerificationDraw
from fieldapp.proof import sample
from tests.helpers import households_of, user
from tests.sync.helpers import campaign_id, send, statuses, visit_entry, vn_time


def _warn(client, auth, username, homes, hour=8):
    entries = [visit_entry(h.id, campaign_id(), n, recorded_at=vn_time(10, f"{hour:02d}:{n:02d}:00"),
                           lat=h.lat, lon=h.lon, accuracy_m=8) for n, h in enumerate(homes)]
    auth.login(username)
    assert statuses(send(client, entries)) == ["created"] * len(entries)
    client.post("/logout", data={"csrf_token": auth.token()})
    return entries


def _draw(client, auth):
    auth.login("chihuy")
    answer = auth.post(f"/proof/sample/draw?campaign={campaign_id()}")
    assert answer.status_code == 302
    return answer  # still signed in as the commander


def test_a_draw_samples_each_officer_reproducibly_and_is_recorded(client, auth, db_session):
    _warn(client, auth, "cskv1", households_of("T01") + households_of("T02"))
    _draw(client, auth)
    db_session.rollback()
    draw = db_session.scalar(sa.select(VerificationDraw))
    assert draw.seed and draw.drawn_by_id == user("chihuy").id and (draw.sample_min, draw.sample_pct) == (3, 5)
    drawn = defaultdict(set)
    for item in db_session.scalars(sa.select(Verification).where(Verification.draw_id == draw.id)):
        drawn[item.officer_id].add(item.household_id)
    cskv1 = user("cskv1").id
    assert draw.population[str(cskv1)] >= 12 and len(drawn[cskv1]) == sample.sample_size(
        draw.population[str(cskv1)], 3, 5)
    assert all(len(found) == sample.sample_size(draw.population[str(o)], 3, 5) for o, found in drawn.items())
    assert sample.redraw(draw) == dict(drawn)  # the seed and the history give the same sample
    # Nothing new since: no second draw; new warnings: a draw of those only, no household twice.
    client.post("/logout", data={"csrf_token": auth.token()})
    answer = _draw(client, auth)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(VerificationDraw)) == 1
    client.post("/logout", data={"csrf_token": auth.token()})
    _warn(client, auth, "antt1", households_of("T01")[:4], hour=15)
    _draw(client, auth)
    db_session.rollback()
    second = db_session.scalars(sa.select(VerificationDraw).order_by(VerificationDraw.id)).all()[-1]
    assert second.window_from == draw.window_to and second.population == {str(user("antt1").id): sum(
        1 for h in households_of("T01")[:4] if not any(h.id in found for found in drawn.values()))}
    assert answer.status_code == 302


def test_commander_and_village_head_record_results_and_verified_coverage_follows(client, auth, db_session,
                                                                                    monkeypatch):
    # Everything warned is drawn, so T01 surely has three households in the sample (a 5 %
    # sample of cskv1's warnings may fall elsewhere, depending on the demo's visits).
    monkeypatch.setitem(client.application.config, "VERIFY_SAMPLE_MIN", 10_000)
    t01 = households_of("T01")
    # antt1 covers T01 alone: his share of the sample is all in T01 (cskv1's could fall on the
    # visits the demo seeded in his four other villages).
    _warn(client, auth, "antt1", t01)
    _draw(client, auth)
    db_session.rollback()
    village_id = t01[0].village_id
    items = db_session.scalars(sa.select(Verification).where(Verification.village_id == village_id)
                               .order_by(Verification.id)).all()
    assert len(items) >= 3
    page = client.get(f"/proof/sample?campaign={campaign_id()}").get_data(as_text=True)
    assert all(f'data-sample-id="{i.id}"' in page for i in items)
    confirmed = auth.post(f"/proof/sample/{items[0].id}", {"result": "confirmed", "note": "Gọi điện, chủ hộ xác nhận"},
                          headers={"HX-Request": "true"})
    assert confirmed.status_code == 200 and 'data-result="confirmed"' in confirmed.get_data(as_text=True)
    assert auth.post(f"/proof/sample/{items[1].id}", {"result": "maybe"}).status_code == 303
    client.post("/logout", data={"csrf_token": auth.token()})

    auth.login("truongthon1")  # the village head of T01, on his own page
    own = client.get(f"/coverage/villages/{village_id}").get_data(as_text=True)
    assert f'data-sample-id="{items[1].id}"' in own and "Không liên lạc được" in own
    denied = auth.post(f"/proof/sample/{items[1].id}", {"result": "denied", "note": "Nhà nói chưa ai đến",
                                                         "next": f"/coverage/villages/{village_id}"})
    assert denied.status_code == 302 and denied.headers["Location"].endswith(f"/coverage/villages/{village_id}")
    auth.post(f"/proof/sample/{items[2].id}", {"result": "unreachable"})
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("truongthon2")  # another village's head: outside his area
    assert auth.post(f"/proof/sample/{items[0].id}", {"result": "denied"}).status_code == 404
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv1")
    assert auth.post(f"/proof/sample/{items[0].id}", {"result": "confirmed"}).status_code == 403
    assert client.get(f"/api/visits/{items[0].visit_id}").get_json()["verification"]["result"] == "confirmed"
    assert client.get(f"/api/visits/{items[0].visit_id}").get_json()["verification"]["by"] == "chihuy"
    client.post("/logout", data={"csrf_token": auth.token()})

    auth.login("chihuy")
    rows = {r["village_code"]: r for r in csv.DictReader(io.StringIO(
        client.get("/exports/coverage.csv").get_data(as_text=True).lstrip("\ufeff")))}
    t01_row = rows["T01"]
    assert t01_row["verified_sample"] == "2"  # one confirmed, one denied; unreachable left out
    assert float(t01_row["verified_coverage_pct"]) == round(float(t01_row["coverage_pct"]) * 0.5, 1) or abs(
        float(t01_row["verified_coverage_pct"]) - float(t01_row["coverage_pct"]) / 2) <= 0.1
    assert rows["T05"]["verified_coverage_pct"] == ""  # no answer there yet
    dashboard = client.get("/coverage/").get_data(as_text=True)
    assert 'data-total="verified_coverage"' in dashboard and 'data-verified="T01"' in dashboard
    assert re.search(r'data-verified="T01"[^>]*>✓ [\d,.]+% \(n=2\)', dashboard)
    report = client.get(f"/reports/campaigns/{campaign_id()}").get_data(as_text=True)
    assert 'data-col="verified_coverage_pct"' in report and 'data-col="coverage_pct"' in report


def test_the_coverage_csv_has_no_verified_columns_before_any_sample(client, auth, db_session):
    auth.login("chihuy")
    header = client.get("/exports/coverage.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert "verified_coverage_pct" not in header


def test_only_verifiers_open_the_sample_page(client, auth, db_session):
    auth.login("cskv1")
    assert client.get("/proof/sample").status_code == 403
    assert auth.post("/proof/sample/draw").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("truongthon1")
    assert client.get("/proof/sample").status_code == 200
    assert auth.post("/proof/sample/draw").status_code == 403
    assert auth.post(f"/proof/sample/{2**31 - 1}", {"result": "denied"}).status_code == 404
    assert auth.post(f"/proof/sample/{uuid.uuid4().int}", {"result": "denied"}).status_code == 404


def test_the_incident_verdict_shows_the_warnings_checks_and_verification(client, auth, db_session):
    from datetime import timedelta

    from fieldapp.models import Visit
    from fieldapp.timeutil import today_vn, utcnow

    _draw(client, auth)  # the demo's warnings: the next draw holds only the visit below
    client.post("/logout", data={"csrf_token": auth.token()})
    home = households_of("T03")[0]
    far = visit_entry(home.id, campaign_id(), 1, lat=home.lat + 0.03, lon=home.lon, accuracy_m=10)
    auth.login("cskv1")
    send(client, [far])
    client.post("/logout", data={"csrf_token": auth.token()})
    _draw(client, auth)
    db_session.rollback()
    item = db_session.scalar(sa.select(Verification).where(Verification.visit_id == uuid.UUID(far["id"])))
    assert auth.post(f"/proof/sample/{item.id}", {"result": "confirmed"}).status_code == 302
    # The incident happened today; the verdict counts what the server had by yesterday.
    db_session.rollback()
    db_session.execute(sa.update(Visit).where(Visit.id == item.visit_id).values(received_at=utcnow() - timedelta(days=2)))
    db_session.commit()
    answer = auth.post(f"/incidents/new/{home.id}", {"occurred_on": today_vn().isoformat(), "kind": "scam"})
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f'data-proof-visit="{far["id"]}"' in page and 'data-check="far"' in page and "Xa nhà" in page
    assert 'data-verification="confirmed"' in page


def test_the_draw_command_draws_each_commune_once(runner, client, auth, db_session):
    _warn(client, auth, "cskv1", households_of("T04"))
    db_session.rollback()  # the command shares this app context's session
    first = runner.invoke(args=["draw-sample", "--now"])
    assert first.exit_code == 0 and "An Phú" in first.output
    again = runner.invoke(args=["draw-sample", "--now"])
    assert again.exit_code == 0 and " 0 " in again.output
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(VerificationDraw)) == 1
