"""Transport and headers: a Content-Security-Policy without inline scripts on every answer,
Permissions-Policy, no-store on pages with personal data, titles without residents' names,
and behind an HTTPS proxy Secure cookies, HSTS and the scheme the proxy saw."""
from __future__ import annotations

import re

import sqlalchemy as sa

from fieldapp.models import Village
from tests.auth.test_permissions import Caller, requests, sample_user, url_values
from tests.conftest import Auth, csrf_from
from tests.helpers import households_of, village


def script_src(response) -> str:
    policy = response.headers.get("Content-Security-Policy", "")
    return next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")


def test_every_route_answers_with_a_csp_that_forbids_inline_scripts(app, db_session):
    t01 = db_session.scalar(sa.select(Village).where(Village.code == "T01"))
    values = url_values(db_session, t01, sample_user("officer", t01))
    missing = []
    for username in (None, "quantri"):
        caller = Caller(app, username)
        for endpoint, method, path in requests(app, values):
            if method != "GET" or endpoint == "auth.logout":
                continue
            source = script_src(caller.send(method, path))
            if not source or "unsafe-inline" in source or "unsafe-eval" in source:
                missing.append(f"{path} as {username}: {source!r}")
    assert missing == []


def test_permissions_policy_allows_only_our_own_geolocation_and_camera(client):
    policy = client.get("/login").headers["Permissions-Policy"]
    assert "geolocation=(self)" in policy and "camera=(self)" in policy and "microphone=()" in policy


def test_pages_with_personal_data_are_never_cached_and_titles_name_households_by_code(client, auth, db_session):
    household = households_of("T01")[0]
    v = village("T01").id
    auth.login("chihuy")
    for url in (f"/villages/{v}", f"/households/{household.id}", f"/coverage/villages/{v}",
                f"/coverage/villages/{v}/walk", f"/households/{household.id}/data", "/sync/shell", "/villages/"):
        page = client.get(url)
        assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"], url
        title = re.search(r"<title>(.*?)</title>", page.get_data(as_text=True), re.S).group(1)
        assert household.head_name not in title, url
    shown = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert f"<title>Hộ {household.code} · Từng Nhà</title>" in shown


def test_no_template_carries_inline_script_or_event_handlers():
    from pathlib import Path

    from fieldapp import ROOT

    bad = []
    for path in Path(ROOT, "templates").rglob("*.html"):
        text = path.read_text()
        bad += [f"{path.name}: {m}" for m in re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text)]
        bad += [f"{path.name}: {m}" for m in re.findall(r"\s(on[a-z]+|hx-on[:\w-]*)=", text)]
        bad += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert bad == []


def test_behind_an_https_proxy_cookies_are_secure_with_hsts(db_url):
    from fieldapp import create_app
    from tests.conftest import IsolatedClient, _config

    # BEHIND_PROXY wraps the WSGI app while it is built, as `make run` does with the setting.
    app = create_app({**_config(db_url), "BEHIND_PROXY": True, "SESSION_COOKIE_SECURE": True})
    app.test_client_class = IsolatedClient
    client = app.test_client()
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    page = client.get("/login", headers=proxied)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    token = csrf_from(page.get_data(as_text=True))
    answer = client.post("/login", headers={**proxied, "Referer": "https://localhost/login"}, data={"username": "cskv1", "password": "demo1234",
                                                          "csrf_token": token, "remember": "y"})
    home = answer.headers["Location"]  # the role's home, never a plain-http address
    assert answer.status_code == 302 and "/login" not in home and not home.startswith("http:")
    cookies = answer.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} >= {"session", "tn_remember"}
    assert all("Secure" in c and "HttpOnly" in c for c in cookies)
    with app.app_context():
        from fieldapp.models import AuditEvent
        from fieldapp.extensions import db

        login = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "login"))
        assert login.ip == "203.0.113.7"  # the client's address, as the proxy saw it
        db.session.remove()
        db.engine.dispose()


def test_without_a_proxy_no_hsts_on_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
