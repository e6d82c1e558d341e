"""Big exports on a province's deployment in miniature: asked on one app server, built by the
job worker (a real process), downloaded from the other server; the worker killed mid-build."""
from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.ops.cluster import LEASE_SECONDS, Phone, request
from tests.ops.test_cluster import _until, cluster, engine  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.postgres_only, pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)]

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def servers(cluster):  # noqa: F811
    """Two app servers where an export of more than 50 rows a person asks for is a job."""
    cluster.env["EXPORT_JOB_ROWS"] = "50"
    return cluster.server("app-a")[1], cluster.server("app-b")[1]


def _get(phone: Phone, port: int, path: str, headers: dict | None = None):
    """(status, headers, body) of a GET with the phone's cookies."""
    cookie = "; ".join(f"{k}={v}" for k, v in phone.cookies.items())
    return request(port, "GET", path, headers={**(headers or {}), "Cookie": cookie})


def _ask(phone: Phone, port: int, path: str) -> str:
    status, headers, _body = _get(phone, port, path, BROWSER)
    assert status == 303 and re.search(r"/downloads/\d+$", headers["Location"]), status
    return urlsplit(headers["Location"]).path


def _state(phone: Phone, port: int, location: str) -> tuple[str, str]:
    html = _get(phone, port, location, {"HX-Request": "true"})[2].decode()
    return re.search(r'data-download-state="(\w+)"', html).group(1), html


def _export_job(engine) -> tuple:  # noqa: F811
    with engine.connect() as conn:
        return tuple(conn.execute(sa.text("SELECT status, attempts FROM jobs WHERE kind = 'export'")).one())


def test_a_big_export_asked_on_one_server_is_built_by_the_worker_and_fetched_from_the_other(
        cluster, servers):  # noqa: F811
    port_a, port_b = servers
    commander = Phone()
    commander.login(port_a, "chihuy")
    location = _ask(commander, port_a, "/exports/households.geojson")
    assert _state(commander, port_b, location)[0] == "queued"  # no worker yet
    cluster.worker("worker-1")
    html = _until(lambda: (seen := _state(commander, port_b, location))[0] == "ready" and seen[1],
                  show=lambda: _state(commander, port_b, location)[1][:2000])
    link = re.search(r'href="(/downloads/\d+/file)"', html).group(1)
    status, headers, body = _get(commander, port_b, link)
    assert status == 200 and headers["Content-Type"].startswith("application/geo+json")
    at_once = json.loads(_get(commander, port_a, "/exports/households.geojson")[2])  # a script's request
    assert len(at_once["features"]) > 50 and json.loads(body)["features"] == at_once["features"]
    officer = Phone()
    officer.login(port_b, "cskv1")
    assert _get(officer, port_b, location)[0] == 404 and _get(officer, port_a, link)[0] == 404


@pytest.fixture
def visits_locked(engine):  # noqa: F811
    """Hold an exclusive lock on `visits` until `release()`: an export reading them waits
    there, its job running, as a long export on a big province would."""
    conn = engine.connect()
    conn.execute(sa.text("LOCK TABLE visits IN ACCESS EXCLUSIVE MODE"))

    class Held:
        def release(self):
            conn.rollback()

    yield Held()
    conn.close()


def test_a_worker_killed_mid_export_leaves_the_job_to_the_next_worker(cluster, servers, engine,  # noqa: F811
                                                                      visits_locked):
    port_a, port_b = servers
    commander = Phone()
    commander.login(port_a, "chihuy")
    location = _ask(commander, port_a, "/exports/households.geojson")
    worker = cluster.worker("worker-1")
    _until(lambda: _state(commander, port_b, location)[0] == "running")
    assert "Đang đọc dữ liệu" in _state(commander, port_b, location)[1]
    cluster.kill(worker)  # mid-build: reading
    visits_locked.release()
    time.sleep(LEASE_SECONDS + 1)
    assert _export_job(engine) == ("running", 1)  # nobody has looked yet
    cluster.worker("worker-2")  # reaps the dead worker's job and builds the file again
    _until(lambda: _state(commander, port_b, location)[0] == "ready",
           show=lambda: _state(commander, port_b, location)[1][:2000])
    assert _export_job(engine) == ("done", 2)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM stored_files")) == 1
        assert conn.scalar(sa.text("SELECT count(*) FROM downloads")) == 1
