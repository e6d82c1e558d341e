"""Ids no database can hold answer 404, never 500 (PostgreSQL's integer ends at 2**31 - 1)."""
from __future__ import annotations

import pytest

from fieldapp.extensions import db
from fieldapp.models import Village

HUGE = ["2147483648", "99999999999999999999"]


@pytest.mark.parametrize("huge", HUGE)
def test_out_of_range_ids_in_the_path_answer_404(client, auth, db_session, huge):
    auth.login("quantri")
    for url in (f"/campaigns/{huge}", f"/users/{huge}", f"/register/imports/{huge}"):
        assert client.get(url).status_code == 404, url
    assert auth.post(f"/assignments/{huge}/end", {"ends_on": "2025-12-31"}).status_code == 404


@pytest.mark.parametrize("huge", HUGE + ["-1"])
def test_an_out_of_range_village_filter_answers_404(client, auth, db_session, huge):
    auth.login("chihuy")
    assert client.get(f"/assignments/?village={huge}").status_code == 404


def test_the_village_filter_of_assignments_is_scoped(client, auth, db_session):
    from fieldapp.models import Commune

    other = Commune(code="XX", name="Khác")
    db.session.add(other)
    db.session.flush()
    stranger = Village(commune_id=other.id, code="X01", name="Xóm khác")
    db.session.add(stranger)
    db.session.commit()
    auth.login("chihuy")
    assert client.get(f"/assignments/?village={stranger.id}").status_code == 404
