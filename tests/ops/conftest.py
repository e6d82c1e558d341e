"""Empty databases on each backend, for tests that build the schema themselves."""
from __future__ import annotations

import uuid

import pytest

from tests.conftest import BACKENDS, _pg_admin, _pg_url


@pytest.fixture(params=BACKENDS)
def empty_db_url(request, tmp_path):
    """An empty database (no tables) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    request.getfixturevalue("pg_template")  # skips (or fails in CI) without PostgreSQL
    name = f"fieldapp_e_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE DATABASE {name}")
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
