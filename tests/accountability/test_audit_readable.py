"""The access log reads like a register: people by name and title, households, villages,
incidents and visits by name, dd/mm/yyyy HH:MM; no UUID and no ISO date on the page."""
from __future__ import annotations

import re

from fieldapp.extensions import db
from fieldapp.households import services
from tests.helpers import households_of, user, village

from .test_incidents import incident_id, record
from .visits import add_visit

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def _text(html: str) -> str:
    """What a person reads: the main part without tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html.split("<main>")[1])


def test_the_access_log_names_people_households_and_days(client, auth, db_session):
    household, other = households_of("T02")[:2]
    add_visit(household, "cskv1", "warned", "2025-11-15 10:00")
    services.merge(other, household)
    db.session.commit()
    auth.login("chihuy")
    client.get(f"/households/{household.id}")
    client.get(f"/api/households/{household.id}/warned?as_of=2025-11-12")
    incident_id(record(auth, household))
    client.get(f"/incidents/export.docx?village={village('T02').id}&date_from=2025-11-01")
    page = client.get("/audit/").get_data(as_text=True)
    text = _text(page)
    assert not UUID.search(text) and not ISO.search(text), (UUID.search(text), ISO.search(text))
    chihuy = user("chihuy")
    assert f"{chihuy.full_name}</b>, Trưởng Công an xã" in page
    assert f"{household.head_name} (số nhà {household.code}, T02)" in text
    assert "ngày xảy ra vụ việc: 20/11/2025" in text and "tính đến ngày: 12/11/2025" in text
    assert "Lừa đảo chiếm đoạt tài sản" in text or "Bắt cóc trực tuyến" in text
    assert re.search(r"\d\d/\d\d/20\d\d \d\d:\d\d", text)
    assert "từ ngày: 01/11/2025" in text and "thôn: T02" in text  # the incident list's filters
    access = _text(client.get(f"/households/{household.id}/access").get_data(as_text=True))
    assert not UUID.search(access) and chihuy.full_name in access
