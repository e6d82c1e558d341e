"""Signing in and out, CSRF, rate limiting, cookies and the session API."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_from
from tests.helpers import user


def test_login_page_is_vietnamese_with_contract_fields(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    for name in ("username", "password", "csrf_token"):
        assert f'name="{name}"' in html
    assert "Đăng nhập" in html


def test_login_success_redirects_home_and_sets_safe_cookie(client, auth):
    response = auth.login("cskv1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_with_a_vietnamese_message(client, auth):
    response = auth.login("cskv1", "sai-mat-khau")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    assert client.get("/api/session").status_code == 401


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "cskv1", "password": "demo1234"})
    assert response.status_code == 403
    assert client.get("/api/session").status_code == 401


def test_passwords_are_hashed_with_scrypt(db_session):
    assert user("cskv1").password_hash.startswith("scrypt:")
    assert user("cskv1").check_password("demo1234")


def test_failed_logins_are_limited_with_a_clear_message(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    codes = [client.post("/login", data={"username": "cskv2", "password": "x", "csrf_token": token}).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    limited = client.post("/login", data={"username": "cskv2", "password": "x", "csrf_token": token})
    assert "Thử quá nhiều lần" in limited.get_data(as_text=True)
    # Another username from the same address is not locked out by someone else's typos.
    ok = client.post("/login", data={"username": "cskv3", "password": "demo1234", "csrf_token": token})
    assert ok.status_code == 302


def test_session_api_is_json_401_then_the_user(client, auth):
    anonymous = client.get("/api/session")
    assert anonymous.status_code == 401 and anonymous.is_json
    auth.login("chihuy")
    body = client.get("/api/session").get_json()
    assert body["user"]["username"] == "chihuy" and body["user"]["role"] == "commander"
    assert body["csrf_token"] and body["server_time"].endswith("Z")


def test_api_never_redirects_anonymous_callers(client):
    response = client.get("/api/me/pack")
    assert response.status_code == 401 and response.is_json


def test_pages_send_anonymous_callers_to_login(client):
    response = client.get("/villages/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_needs_post_with_csrf_and_ends_the_session(client, auth):
    auth.login("cskv1")
    assert client.post("/logout").status_code == 403
    assert auth.post("/logout").status_code == 302
    assert client.get("/api/session").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/"])
def test_login_never_redirects_off_site(client, target):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(f"/login?next={target}", data={"username": "cskv1", "password": "demo1234",
                                                          "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_disabled_accounts_cannot_sign_in(app, client, auth, db_session):
    user("antt3").active = False
    db_session.commit()
    assert auth.login("antt3").status_code == 401
