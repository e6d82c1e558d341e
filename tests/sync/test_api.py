"""The pack's ETag, the OpenAPI document and the commanders' page of quarantined entries."""
from __future__ import annotations

from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, visit_entry


def test_an_unchanged_pack_answers_304_and_a_change_refreshes_it(client, auth, db_session):
    auth.login("cskv1")
    first = client.get("/api/me/pack")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    again = client.get("/api/me/pack", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    send(client, [visit_entry(households_of("T01")[0].id, campaign_id(), outcome="nobody_home", topics=[])])
    changed = client.get("/api/me/pack", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_openapi_describes_the_api(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert {"/api/session", "/api/me/pack", "/api/sync/batch", "/api/sync/status"} <= set(doc["paths"])
    statuses = doc["components"]["schemas"]["Result"]["properties"]["status"]["enum"]
    assert statuses == ["created", "duplicate", "id_conflict", "quarantined", "retry"]
    assert set(doc["paths"]["/api/sync/batch"]["post"]["responses"]) == {"200", "400", "401", "403", "413", "429", "503"}


def test_commanders_review_quarantined_entries(client, auth, db_session):
    entry = visit_entry(households_of("T01")[0].id, campaign_id(), outcome="bogus", note="<b>x</b>")
    auth.login("cskv1")
    send(client, [entry])
    assert client.get("/sync/quarantine").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    page = client.get("/sync/quarantine").get_data(as_text=True)
    assert f'data-quarantined-id="{entry["id"]}"' in page and "cskv1" in page
    assert "<b>x</b>" not in page and "Mục cần xem xét" in page
    assert households_of("T01")[0].head_name in page  # the visit names its household
    item = page.split(f'data-quarantined-id="{entry["id"]}"')[1]
    action = item.split('action="')[1].split('"')[0]
    assert auth.post(action).status_code == 302
    assert "Đã xem xét" in client.get("/sync/quarantine").get_data(as_text=True)
    assert "/sync/quarantine" in client.get("/villages/").get_data(as_text=True)


def test_the_quarantine_page_is_audited_and_paged(client, auth, db_session):
    import sqlalchemy as sa

    from fieldapp.extensions import db
    from fieldapp.models import AuditEvent

    auth.login("cskv1")
    send(client, [visit_entry(households_of("T01")[0].id, campaign_id(), seq=n, outcome="bogus", note=f"lần {n}")
                  for n in range(51)])
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    first = client.get("/sync/quarantine").get_data(as_text=True)
    assert first.count("data-quarantined-id=") == 50 and 'rel="next"' in first
    assert client.get("/sync/quarantine?page=2").get_data(as_text=True).count("data-quarantined-id=") == 1
    assert client.get("/sync/quarantine?page=3").status_code == 404
    assert client.get("/sync/quarantine?page=x").status_code == 400
    db.session.rollback()  # end the test's read snapshot
    views = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "quarantine_view")).all()
    assert [v.detail["page"] for v in views] == [1, 2, 3]  # the malformed one never got that far


def test_the_pwa_files_are_served(client, auth):
    import json

    with client.get("/manifest.webmanifest") as manifest:
        assert manifest.mimetype == "application/manifest+json"
        body = json.loads(manifest.data)
    assert body["lang"] == "vi" and body["display"] == "standalone" and body["theme_color"]
    purposes = {(i["sizes"], i["purpose"]) for i in body["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= purposes
    for icon in body["icons"]:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200 and len(response.data) > 200
    with client.get("/sw.js") as worker:
        assert worker.status_code == 200 and "tn-static-" in worker.get_data(as_text=True)
        assert worker.headers["Service-Worker-Allowed"] == "/"
    assert "Không có kết nối" in client.get("/offline").get_data(as_text=True)
    assert client.get("/sync/shell").status_code == 302  # personal: only for a signed-in user
    auth.login("cskv1")
    shell = client.get("/sync/shell").get_data(as_text=True)
    assert 'id="offline-app"' in shell and 'id="tn-labels"' in shell and "data-outbox-count" in shell


def test_the_pack_etag_moves_with_a_withdrawal_and_stays_for_other_villages(client, auth, db_session):
    auth.login("cskv1")
    household = households_of("T02")[2]
    entry = visit_entry(household.id, campaign_id(), outcome="nobody_home", topics=[])
    send(client, [entry])
    etag = client.get("/api/me/pack").headers["ETag"]
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv2")  # another officer's visit in another village: cskv1's pack is unchanged
    send(client, [visit_entry(households_of("T06")[0].id, campaign_id(), outcome="nobody_home", topics=[])])
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv1")
    assert client.get("/api/me/pack", headers={"If-None-Match": etag}).status_code == 304
    assert auth.post(f"/households/visits/{entry['id']}/undo").status_code == 302
    refreshed = client.get("/api/me/pack", headers={"If-None-Match": etag})
    assert refreshed.status_code == 200
    [row] = [h for v in refreshed.get_json()["villages"] for h in v["households"] if h["id"] == str(household.id)]
    assert refreshed.headers["ETag"] != etag
