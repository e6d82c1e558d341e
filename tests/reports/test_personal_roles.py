"""PERSONAL_DATA_ROLES: a role left out sees house numbers and figures, never residents' names,
addresses, phones or youth counts, on coverage pages, walk lists and exports; and leaves no
"export" audit event, since nothing personal left the system."""
from __future__ import annotations

import sqlalchemy as sa

from fieldapp.models import AuditEvent
from tests.conftest import Auth
from tests.helpers import households_of, village

PERSONAL = {"head_name", "phone", "address", "members", "youth"}


def _exports(db_session):
    db_session.rollback()
    return db_session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "export"))


def test_a_role_left_out_sees_no_names(make_app, db_session):
    app = make_app(PERSONAL_DATA_ROLES=("officer", "commander", "admin"))
    client = app.test_client()
    Auth(client).login("truongthon1")
    t01 = village("T01")
    names = [h.head_name for h in households_of("T01")]

    features = client.get(f"/exports/households.geojson?village={t01.id}").get_json()["features"]
    assert len(features) == len(names) and not PERSONAL & set(features[0]["properties"])
    for url in (f"/coverage/villages/{t01.id}", f"/coverage/villages/{t01.id}/walk"):
        html = client.get(url).get_data(as_text=True)
        assert not [n for n in names if n in html], url
    assert _exports(db_session) == 0

    boss = make_app().test_client()  # the default: every role that works the area
    Auth(boss).login("truongthon1")
    assert PERSONAL <= set(boss.get(f"/exports/households.geojson?village={t01.id}").get_json()["features"][0]["properties"])
    html = boss.get(f"/coverage/villages/{t01.id}/walk").get_data(as_text=True)
    assert any(n in html for n in names)
    assert _exports(db_session) == 2
