"""Sign-in hardening: usernames normalised before the limits and the lookup, failures counted
in the database per account (shared by every worker and server) and per address, the same
time for unknown and known usernames, and the password rule for passwords set in the app."""
from __future__ import annotations

import statistics
import time
import unicodedata

import pytest
import sqlalchemy as sa

from fieldapp.auth.passwords import problem
from fieldapp.auth.throttle import SignInFailure
from tests.conftest import Auth, csrf_from
from tests.helpers import user


def _attempt(client, username, password="sai-mat-khau"):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_the_account_limit_holds_across_workers(make_app, db_session):
    first, second = make_app(LOGIN_RATE_LIMIT="3 per minute"), make_app(LOGIN_RATE_LIMIT="3 per minute")
    a, b = first.test_client(), second.test_client()  # two workers (or servers) on one database
    assert [_attempt(a, "cskv2").status_code, _attempt(b, "cskv2").status_code,
            _attempt(a, "cskv2").status_code] == [401, 401, 401]
    refused = _attempt(b, "cskv2", "demo1234")  # even the right password now waits
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Thử quá nhiều lần" in refused.get_data(as_text=True)
    assert _attempt(a, "cskv3", "demo1234").status_code == 302  # other accounts are not locked


def test_usernames_are_normalised_before_the_limit_and_the_lookup(make_app, db_session):
    app = make_app(LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert _attempt(client, "  CsKv4 ", "demo1234").status_code == 302  # case and spaces
    client = app.test_client()
    nfd = unicodedata.normalize("NFD", "trưởng")
    assert [_attempt(client, nfd).status_code, _attempt(client, "TRƯỞNG").status_code,
            _attempt(client, "trưởng").status_code] == [401, 401, 429]  # one account, three spellings
    db_session.rollback()
    keys = set(db_session.scalars(sa.select(SignInFailure.key)))
    assert "user:trưởng" in keys and not any(unicodedata.normalize("NFC", k) != k for k in keys)


@pytest.mark.parametrize("name", ["cskv1\x00", "cskv1\u200b", "cs\nkv1"])
def test_control_and_invisible_characters_never_sign_in(client, name):
    assert _attempt(client, name, "demo1234").status_code == 401


def test_the_address_limit_holds_over_many_usernames(make_app, db_session):
    app = make_app(LOGIN_ADDRESS_RATE_LIMIT="4 per minute")
    client = app.test_client()
    codes = [_attempt(client, f"khong-co-{n}").status_code for n in range(5)]
    assert codes == [401, 401, 401, 401, 429]


def test_unknown_and_known_usernames_take_the_same_time(client, db_session):
    """Attempts interleaved, so a busy machine slows each kind alike; without the stand-in hash
    an unknown name answered about a hundred times faster."""
    user("antt9").active = False
    db_session.commit()
    samples = {"cskv5": [], "khong-ton-tai": [], "antt9": []}
    for _ in range(7):
        for username, times in samples.items():
            token = csrf_from(client.get("/login").get_data(as_text=True))
            start = time.perf_counter()
            client.post("/login", data={"username": username, "password": "sai-mat-khau", "csrf_token": token})
            times.append(time.perf_counter() - start)
    known, unknown, disabled = (statistics.median(t) for t in samples.values())
    assert 1 / 3 < unknown / known < 3 and 1 / 3 < disabled / known < 3, (known, unknown, disabled)


@pytest.mark.parametrize("password, username, reason", [
    ("ngan-qua", "", "10"), ("          ", "", "dấu cách"), ("password123", "", "phổ biến"),
    ("QWERTYUIOP", "", "phổ biến"), ("cskv9-la-toi", "cskv9", "tên đăng nhập"),
])
def test_the_password_rule(app, password, username, reason):
    with app.test_request_context():
        assert reason in str(problem(password, username))
        assert problem("Đi từng ngõ 2025", "cskv9") is None


def test_the_rule_applies_where_passwords_are_set(app, client, auth, db_session, runner):
    auth.login("quantri")
    weak = auth.post("/users/", {"username": "cskv8", "role": "officer", "password": "1234567890"})
    assert weak.status_code == 422 and "phổ biến" in weak.get_data(as_text=True)
    reset = auth.post(f"/users/{user('cskv1').id}", {"role": "officer", "active": "y", "new_password": "cskv1cskv1"})
    assert reset.status_code == 422
    result = runner.invoke(args=["create-user", "moi9", "--role", "officer", "--password", "short"])
    assert result.exit_code != 0 and "10" in result.output
    assert Auth(app.test_client()).login("cskv1", "demo1234").status_code == 302  # the demo keeps demo1234
