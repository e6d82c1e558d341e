"""Sessions that can be ended: a copied cookie dies with its session, remember tokens are random,
hashed and rotated, idle and absolute limits, "sign out of every device", password changes."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from fieldapp.auth.models import UserSession
from fieldapp.timeutil import utcnow
from tests.conftest import Auth
from tests.helpers import user

NEW_PASSWORD = "Ngo-hem-7-xanh"


def copy_of(app, client):
    """Another browser holding a copy of `client`'s cookies (what a thief would copy)."""
    other = app.test_client()
    for name in ("session", "tn_remember"):
        if (cookie := client.get_cookie(name)) is not None:
            other.set_cookie(name, cookie.value)
    return other


def signed_in(app, username, remember=False):
    client = app.test_client()
    auth = Auth(client)
    page = client.get("/login")
    from tests.conftest import csrf_from

    data = {"username": username, "password": "demo1234", "csrf_token": csrf_from(page.get_data(as_text=True))}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client, auth


def rows_of(db_session, username):
    db_session.rollback()
    return db_session.scalars(sa.select(UserSession).where(UserSession.user_id == user(username).id)).all()


def test_a_cookie_copied_before_logout_stops_working(app):
    phone, auth = signed_in(app, "cskv1")
    thief = copy_of(app, phone)
    assert thief.get("/api/session").status_code == 200
    auth.post("/logout")
    assert thief.get("/api/session").status_code == 401
    assert thief.get("/villages/").status_code == 302
    assert thief.get("/api/me/pack").status_code == 401


def test_a_cookie_copied_before_a_password_reset_stops_working(app, db_session):
    phone, _auth = signed_in(app, "cskv2")
    thief = copy_of(app, phone)
    admin, admin_auth = signed_in(app, "quantri")
    account = user("cskv2")
    form = {"full_name": account.full_name, "title": account.title, "role": "officer", "active": "y",
            "new_password": NEW_PASSWORD}
    assert admin_auth.post(f"/users/{account.id}", data=form).status_code == 302
    for browser in (phone, thief):
        answer = browser.get("/api/session")
        assert answer.status_code == 401 and answer.get_json()["error"] == "session_expired"
    assert Auth(app.test_client()).login("cskv2", NEW_PASSWORD).status_code == 302


def test_disable_then_enable_does_not_revive_an_old_cookie(app, db_session):
    phone, _auth = signed_in(app, "antt5", remember=True)
    thief = copy_of(app, phone)
    admin, admin_auth = signed_in(app, "quantri")
    account = user("antt5")
    form = {"full_name": account.full_name, "title": account.title, "role": "officer"}
    assert admin_auth.post(f"/users/{account.id}", data=form).status_code == 302  # disabled
    assert admin_auth.post(f"/users/{account.id}", data={**form, "active": "y"}).status_code == 302
    answer = thief.get("/api/session")
    assert answer.status_code == 401 and answer.get_json()["error"] == "session_ended"
    remembered_only = app.test_client()
    remembered_only.set_cookie("tn_remember", phone.get_cookie("tn_remember").value)
    assert remembered_only.get("/api/session").status_code == 401


def test_remember_tokens_are_random_per_login_hashed_and_rotated(app, db_session):
    first, _a = signed_in(app, "cskv3", remember=True)
    second, _b = signed_in(app, "cskv3", remember=True)
    token1, token2 = first.get_cookie("tn_remember").value, second.get_cookie("tn_remember").value
    assert token1 != token2 and len(token1) >= 40
    stored = {r.remember_hash for r in rows_of(db_session, "cskv3")}
    assert hashlib.sha256(token1.encode()).hexdigest() in stored and token1 not in stored
    assert first.get_cookie("remember_token") is None  # Flask-Login's revocable-by-nobody cookie

    reopened = app.test_client()  # the browser was closed: only the remember cookie is left
    reopened.set_cookie("tn_remember", token1)
    answer = reopened.get("/api/session")
    assert answer.status_code == 200 and answer.get_json()["user"]["username"] == "cskv3"
    rotated = reopened.get_cookie("tn_remember").value
    assert rotated != token1
    replay = app.test_client()
    replay.set_cookie("tn_remember", token1)
    assert replay.get("/api/session").status_code == 401  # a used token is spent


def test_logout_revokes_the_remember_token(app):
    phone, auth = signed_in(app, "cskv4", remember=True)
    token = phone.get_cookie("tn_remember").value
    auth.post("/logout")
    assert phone.get_cookie("tn_remember") is None
    later = app.test_client()
    later.set_cookie("tn_remember", token)
    assert later.get("/api/session").status_code == 401


def test_the_session_starts_afresh_at_login(app):
    client = app.test_client()
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
        before["sid"] = "a-fixed-session-id"
    Auth(client).login("cskv1")
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["sid"] != "a-fixed-session-id"
    other, _auth = signed_in(app, "cskv1")
    with client.session_transaction() as one, other.session_transaction() as two:
        assert one["sid"] != two["sid"]


def _age(db_session, username, **ago):
    db_session.rollback()
    for row in rows_of(db_session, username):
        row.last_seen_at = utcnow() - timedelta(**ago)
    db_session.commit()


def test_idle_sessions_end_after_the_role_timeout(app, db_session):
    officer, _a = signed_in(app, "cskv5")
    admin, _b = signed_in(app, "quantri")
    _age(db_session, "cskv5", minutes=61)
    _age(db_session, "quantri", minutes=61)
    assert officer.get("/api/session").status_code == 200  # 8 h for field roles
    answer = admin.get("/api/session")  # 1 h for admins
    assert answer.status_code == 401 and answer.get_json()["error"] == "session_expired"
    _age(db_session, "cskv5", hours=8, minutes=1)
    assert officer.get("/api/session").status_code == 401
    page = officer.get("/villages/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_sessions_have_an_absolute_lifetime(make_app, db_session):
    app = make_app(SESSION_MAX_DAYS=1)
    phone, _auth = signed_in(app, "cskv6", remember=True)
    db_session.rollback()
    for row in rows_of(db_session, "cskv6"):
        row.expires_at = utcnow() - timedelta(seconds=1)  # used every day, but started too long ago
    db_session.commit()
    answer = phone.get("/api/session")
    assert answer.status_code == 401 and answer.get_json()["error"] == "session_expired"
    assert phone.get_cookie("tn_remember") is None  # the dead token is taken back


def test_admin_signs_a_user_out_of_every_device(app, db_session):
    phone, _a = signed_in(app, "antt7", remember=True)
    tablet, _b = signed_in(app, "antt7")
    admin, admin_auth = signed_in(app, "quantri")
    commander, commander_auth = signed_in(app, "chihuy")
    account = user("antt7")
    assert commander_auth.post(f"/users/{account.id}/sessions/end").status_code == 403
    assert "Đăng xuất khỏi mọi thiết bị" in admin.get(f"/users/{account.id}").get_data(as_text=True)
    assert admin_auth.post(f"/users/{account.id}/sessions/end").status_code == 302
    for device in (phone, tablet):
        answer = device.get("/api/session")
        assert answer.status_code == 401 and answer.get_json()["error"] == "session_ended"
        batch = device.post("/api/sync/batch", json={"device_id": "x", "entries": []})
        assert batch.status_code == 401 and batch.get_json()["error"] == "session_ended"
    login_page = phone.get("/login").get_data(as_text=True)
    assert "data-wipe" in login_page and "data-session-ended" in login_page
    assert admin.get("/api/session").status_code == 200
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(UserSession).where(
        UserSession.user_id == account.id, UserSession.ended_at.is_(None))) == 0


def test_a_person_changes_their_own_password_and_other_devices_sign_out(app):
    phone, auth = signed_in(app, "truongthon2")
    laptop, _b = signed_in(app, "truongthon2")
    page = phone.get("/account")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.get_data(as_text=True)
    wrong = auth.post("/account", data={"current": "nope", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 422
    weak = auth.post("/account", data={"current": "demo1234", "new_password": "password123",
                                       "confirm": "password123"})
    assert weak.status_code == 422 and "phổ biến" in weak.get_data(as_text=True)
    done = auth.post("/account", data={"current": "demo1234", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert phone.get("/api/session").status_code == 200  # this device stays signed in
    assert laptop.get("/api/session").get_json()["error"] == "session_expired"
    assert Auth(app.test_client()).login("truongthon2").status_code == 401
    assert Auth(app.test_client()).login("truongthon2", NEW_PASSWORD).status_code == 302


def test_a_person_signs_out_of_every_device(app, db_session):
    phone, auth = signed_in(app, "cskv1")
    lost, _b = signed_in(app, "cskv1", remember=True)
    assert auth.post("/account/sessions/end").status_code == 302
    assert phone.get("/api/session").status_code == 401
    assert lost.get("/api/session").get_json()["error"] == "session_ended"
    db_session.rollback()
    assert "sessions_end" in db_session.scalars(sa.text("SELECT action FROM audit_events")).all()
