"""The tiles a phone keeps offline: those over the user's villages at the offline zoom levels,
coarse levels first, within the size budget; a new key when the villages change."""
from __future__ import annotations

from datetime import date

import pytest

from fieldapp.extensions import db
from fieldapp.models import Assignment
from tests.conftest import Auth
from tests.helpers import user, village

from .mbtiles_file import tiles_over, write_mbtiles


@pytest.fixture(scope="module")
def tiles_file(tmp_path_factory):
    """The demo commune's area (every household lies in it), built once for the module."""
    return write_mbtiles(tmp_path_factory.mktemp("tiles") / "area.mbtiles",
                         tiles_over(108.75, 15.05, 108.85, 15.14, range(13, 17)))


def _plan(app, username):
    client = app.test_client()
    Auth(client).login(username)
    response = client.get("/tiles/offline.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_the_plan_covers_my_villages_at_the_offline_levels(make_app, tiles_file, db_session):
    app = make_app(MAP_TILES_FILE=str(tiles_file), MAP_TILES_OFFLINE_ZOOM="14-16")
    mine, all_of_them = _plan(app, "antt1"), _plan(app, "chihuy")
    zooms = {int(t.split("/")[0]) for t in mine["tiles"]}
    assert zooms == {14, 15, 16} and mine["complete"] and mine["bytes"] > 0
    assert set(mine["tiles"]) < set(all_of_them["tiles"])  # one village's tiles, not the commune's
    assert [int(t.split("/")[0]) for t in mine["tiles"]] == sorted(int(t.split("/")[0]) for t in mine["tiles"])
    client = app.test_client()
    for key in mine["tiles"][:3]:
        assert client.get(f"/tiles/{key}").status_code == 200  # every planned tile is served


def test_the_budget_keeps_the_coarse_levels(make_app, tiles_file):
    whole = _plan(make_app(MAP_TILES_FILE=str(tiles_file), MAP_TILES_OFFLINE_ZOOM="13-16"), "chihuy")
    small = _plan(make_app(MAP_TILES_FILE=str(tiles_file), MAP_TILES_OFFLINE_ZOOM="13-16",
                           MAP_TILES_OFFLINE_MB=0.05), "chihuy")
    assert small["bytes"] <= 0.05 * 1048576 and not small["complete"] and small["key"] != whole["key"]
    assert small["tiles"] == whole["tiles"][:len(small["tiles"])]


def test_a_new_village_is_a_new_plan(make_app, tiles_file, db_session):
    app = make_app(MAP_TILES_FILE=str(tiles_file))
    before = _plan(app, "antt1")
    db_session.add(Assignment(user_id=user("antt1").id, village_id=village("T09").id, starts_on=date(2020, 1, 1)))
    db_session.commit()
    after = _plan(app, "antt1")
    assert after["key"] != before["key"] and len(after["tiles"]) > len(before["tiles"])


def test_no_file_no_plan_and_anonymous_is_sent_to_log_in(client, auth):
    assert client.get("/tiles/offline.json").status_code == 302
    auth.login("cskv1")
    assert client.get("/tiles/offline.json").get_json()["tiles"] == []
