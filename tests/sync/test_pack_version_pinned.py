"""PostgreSQL pins a pack's version to the oldest open transaction (`sync.versions`): a refresh
right after another no longer resends the last minute's households, and a change whose
transaction was open while a pack was read still comes in the next refresh."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Household
from fieldapp.sync import versions
from fieldapp.timeutil import utcnow
from tests.helpers import unvisited_household
from tests.sync.helpers import campaign_id, send, statuses, visit_entry
from tests.sync.test_pack_delta import settled


@pytest.fixture
def on_postgresql(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("versions are pinned on PostgreSQL only")


def test_a_refresh_after_a_refresh_is_empty(app, on_postgresql, client, auth, db_session, monkeypatch):
    """Without the clock margin (servers' clocks agree here), nothing comes twice."""
    monkeypatch.setattr(versions, "SKEW", versions.SKEW * 0)
    settled()
    household = unvisited_household("T02")
    auth.login("cskv1")
    version = client.get("/api/me/pack").get_json()["version"]
    assert statuses(send(client, [visit_entry(household.id, campaign_id())])) == ["created"]
    db.session.commit()  # the test's own session holds no transaction open (it would pin the version)
    delta = client.get(f"/api/me/pack?since={version}").get_json()
    assert [h["id"] for h in delta["changed"]] == [str(household.id)]
    again = client.get(f"/api/me/pack?since={delta['version']}").get_json()
    assert again["changed"] == [] and again["removed"] == []


def test_a_change_committed_after_the_read_comes_next_time(app, on_postgresql, client, auth, db_session,
                                                           monkeypatch):
    """A transaction stamps a household, the phone refreshes before it commits (and sees
    nothing), then it commits: the next refresh brings it, with no margin at all."""
    monkeypatch.setattr(versions, "SKEW", versions.SKEW * 0)
    settled()
    household = unvisited_household("T02")
    auth.login("cskv1")
    version = client.get("/api/me/pack").get_json()["version"]
    db.session.commit()
    with app.app_context():
        late = db.engine.connect()
        late.execute(sa.update(Household).where(Household.id == household.id)
                     .values(updated_at=utcnow(), members=Household.members + 1))
        between = client.get(f"/api/me/pack?since={version}").get_json()
        assert str(household.id) not in [h["id"] for h in between["changed"]]
        late.commit()
        late.close()
    after = client.get(f"/api/me/pack?since={between['version']}").get_json()
    assert str(household.id) in [h["id"] for h in after["changed"]]


def test_a_session_of_another_role_brings_back_the_margin(app, on_postgresql):
    """Another role's open transaction has a start this role cannot see: the version is not
    pinned past it but falls back to the plain margin, so a change it commits later still comes."""
    with app.app_context():
        url = db.engine.url.set(username="fieldapp_other", password="fieldapp_other")
        other = sa.create_engine(url)
        try:
            hidden = other.connect()
        except sa.exc.OperationalError:
            pytest.skip("no second role on this server (scripts/ensure-postgres.sh makes one)")
        try:
            hidden.execute(sa.text("SELECT 1"))  # its transaction stays open
            before = utcnow()
            cutoff = versions.cutoff(versions.make("shape"), "shape")
            assert cutoff <= before - versions.MARGIN + versions.SKEW
        finally:
            hidden.close()
            other.dispose()
