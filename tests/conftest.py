"""Test fixtures: a migrated, seeded database per backend (SQLite file and PostgreSQL),
copied fresh for every test, and helpers to sign in and post with CSRF like a browser."""
from __future__ import annotations

import contextlib
import contextvars
import os
import re
import shutil
import uuid

import pytest
import sqlalchemy as sa

from flask.testing import FlaskClient

from fieldapp import create_app

PG_SERVER = os.environ.get("FIELDAPP_TEST_PG")
BACKENDS = ["sqlite", "postgresql"]
TEST_HOUSEHOLDS = 6  # per village: 31 villages, ~186 households; fast but realistic


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production, even while a test holds an
    app context open to arrange or check rows (otherwise `g` would leak between requests)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _new_app(config: dict):
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def _config(url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute",
        "SERVER_NAME": None,
        **extra,
    }


def _build_template(url: str) -> None:
    from flask_migrate import upgrade

    from fieldapp.demo.seed import seed_demo
    from fieldapp.extensions import db

    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        seed_demo(households=TEST_HOUSEHOLDS)
        db.session.commit()
        if url.startswith("sqlite"):
            db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()


def _pg_url(name: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0] + "/" + name


def _pg_admin(sql: str) -> None:
    engine = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _build_template(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template():
    if not PG_SERVER:
        message = "PostgreSQL not available (FIELDAPP_TEST_PG unset; `make test` sets it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"fieldapp_tpl_{os.getpid()}"
    _pg_admin(f"DROP DATABASE IF EXISTS {name}")
    _pg_admin(f"CREATE DATABASE {name}")
    _build_template(_pg_url(name))
    yield name
    _pg_admin(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A fresh copy of the seeded database, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"fieldapp_t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def app(db_url):
    app = _new_app(_config(db_url))
    yield app
    with app.app_context():
        from fieldapp.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(db_url):
    """Apps with extra settings on this test's database; their engines closed afterwards."""
    made = []

    def make(**settings):
        made.append(_new_app(_config(db_url, **settings)))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            from fieldapp.extensions import db

            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path, sqlite_template):
    """SQLite only: for the browser tests and anything that needs a served file."""
    path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, path)
    app = _new_app(_config(f"sqlite:///{path}"))
    yield app
    with app.app_context():
        from fieldapp.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class Auth:
    """Sign in through the real login form, and post forms with the session's CSRF token."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = "demo1234"):
        page = self.client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": token})

    def token(self) -> str:
        return self.client.get("/api/session").get_json()["csrf_token"]

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token()}, **kwargs)


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html) or re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return next(g for g in match.groups() if g)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def db_session(app):
    """The app's database session inside an app context, for arranging and checking rows."""
    from fieldapp.extensions import db

    with app.app_context():
        yield db.session


@pytest.fixture
def count_queries(app):
    """`with count_queries() as n: ...` → n[0] statements sent to the database inside."""
    from fieldapp.extensions import db

    @contextlib.contextmanager
    def counting():
        seen = [0]

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")):
                seen[0] += 1

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting
