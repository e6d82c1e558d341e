"""Scope leaks closed: merges stay within a village, a commander's access log holds only his
commune, PERSONAL_DATA_ROLES also governs the offline pack, the household list and the
household page, and what a phone can leave for review is bounded."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Commune, QuarantinedEntry, SyncReceipt, User, Visit
from tests.conftest import Auth
from tests.helpers import households_of, user, village
from tests.sync.helpers import campaign_id, send, visit_entry


def test_a_merge_across_villages_is_refused(client, auth, db_session):
    mine, theirs = households_of("T01")[0], households_of("T02")[0]
    auth.login("chihuy")
    refused = auth.post(f"/register/households/{mine.id}/merge", {"into": str(theirs.id), "confirmed": "1"})
    assert refused.status_code == 400 and "cùng thôn" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(type(mine), mine.id).status == "active"
    same = households_of("T01")[1]
    assert auth.post(f"/register/households/{mine.id}/merge", {"into": str(same.id), "confirmed": "1"}).status_code == 302


def test_a_commanders_access_log_shows_only_his_commune(app, client, auth, db_session):
    other = Commune(code="X55", name="Xã Khác")
    db.session.add(other)
    db.session.flush()
    stranger = User(username="chihuy55", role="commander", commune_id=other.id, password_hash=user("chihuy").password_hash)
    db.session.add(stranger)
    db.session.commit()
    outsider = Auth(app.test_client())
    outsider.login("chihuy55")  # his own sign-in
    outsider.client.get(f"/households/{households_of('T01')[0].id}")  # 404, but nothing leaks either way
    Auth(app.test_client()).login("chihuy55", "sai")  # a failed sign-in to his account
    Auth(app.test_client()).login("ke-la", "sai")  # an unknown username: the admins' business
    Auth(app.test_client()).login("cskv1", "sai")  # a failed sign-in to one of ours
    auth.login("chihuy")
    page = client.get("/audit/?page=1").get_data(as_text=True)
    assert "chihuy55" not in page and "ke-la" not in page
    assert 'data-action="login_failed"' in page  # cskv1's
    admin = Auth(app.test_client())
    admin.login("quantri")
    everything = admin.client.get("/audit/").get_data(as_text=True)
    assert "chihuy55" in everything and "ke-la" in everything


@pytest.fixture
def heads_without_names(make_app):
    return make_app(PERSONAL_DATA_ROLES=("officer", "commander", "admin"))


def test_personal_data_roles_govern_the_pack_the_list_and_the_household_page(heads_without_names, db_session):
    household = households_of("T12")[0]
    head = Auth(heads_without_names.test_client())
    assert head.login("truongthon12").status_code == 302
    answer = head.client.get("/api/me/pack")
    pack = answer.get_json()
    assert answer.status_code == 200, pack
    rows = [h for v in pack["villages"] for h in v["households"]]
    assert rows and all(h["head_name"] == "" and h["address"] == "" and h["youth"] is None for h in rows)
    listing = head.client.get(f"/villages/{village('T12').id}").get_data(as_text=True)
    assert household.head_name not in listing and household.address not in listing
    found = head.client.get(f"/villages/{village('T12').id}?q={household.head_name.split()[-1]}")
    assert household.head_name not in found.get_data(as_text=True)
    shown = head.client.get(f"/households/{household.id}").get_data(as_text=True)
    assert household.head_name not in shown and household.address not in shown
    for kind in ("moved", "duplicate"):  # the change reports of issue 19 too
        report = head.client.get(f"/households/{household.id}/report/{kind}").get_data(as_text=True)
        assert household.head_name not in report and household.address not in report
        assert households_of("T12")[1].head_name not in report  # nor the households to choose from
    assert head.client.get(f"/households/{household.id}/report/wrong_info").status_code == 403
    officer = Auth(heads_without_names.test_client())  # roles in the setting still see them
    officer.login("antt12")
    assert household.head_name in officer.client.get(f"/households/{household.id}").get_data(as_text=True)


def _refused(n: int) -> list[dict]:
    return [visit_entry(uuid.uuid4(), campaign_id()) for _ in range(n)]  # households that do not exist


def test_refused_entries_are_bounded_per_person_and_day(make_app, db_session):
    app = make_app(QUARANTINE_PER_DAY=5)
    client = app.test_client()
    Auth(client).login("cskv1")
    assert send(client, _refused(3)).status_code == 200
    over = send(client, _refused(3) + [visit_entry(households_of("T01")[0].id, campaign_id())])
    assert over.status_code == 429 and int(over.headers["Retry-After"]) >= 60
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuarantinedEntry)) == 3  # nothing of it kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit).where(
        Visit.household_id == households_of("T01")[0].id, Visit.device_id == "phone-1")) == 0
    other = app.test_client()
    Auth(other).login("cskv2")  # another person is not held up
    assert send(other, _refused(2)).status_code == 200


def test_an_oversized_entry_is_refused_and_not_kept(make_app, db_session):
    app = make_app(QUARANTINE_ENTRY_BYTES=2048)
    client = app.test_client()
    Auth(client).login("cskv1")
    big = visit_entry(households_of("T01")[0].id, campaign_id(), note="x" * 5000)
    answer = send(client, [big])
    assert answer.get_json()["results"][0]["status"] == "quarantined"
    db.session.rollback()
    kept = db.session.scalar(sa.select(QuarantinedEntry).where(QuarantinedEntry.entry_id == big["id"]))
    assert kept.raw["trimmed"] is True and "x" * 100 not in str(kept.raw)
    assert db.session.get(SyncReceipt, uuid.UUID(big["id"])) is None
