"""A province-wide campaign (no commune): the admin's rollup of every village and a
commander's of their commune give the status rules' numbers, whichever plan the query layer
picks (`whole` or not); bench/b_province.py times the same calls on a million households."""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from fieldapp.coverage import queries
from fieldapp.models import Campaign, Commune, Household, Village, Visit
from tests.coverage import truth
from tests.helpers import user

OUTCOMES = ("warned", "nobody_home", "refused", "moved_away")


def _province(db_session) -> Campaign:
    """A second commune, a campaign for the whole province and visits of every kind in both
    communes: several per household, some withdrawn, one household moved."""
    other = Commune(code="BN", name="Bình Nguyên")
    db_session.add(other)
    db_session.flush()
    place = Village(commune_id=other.id, code="B01", name="Thôn Một")
    db_session.add(place)
    db_session.flush()
    db_session.add_all([Household(village_id=place.id, code=str(i), head_name="Lê Văn B", members=3, youth=i % 2)
                        for i in range(7)])
    campaign = Campaign(name="Toàn tỉnh", commune_id=None, starts_on=date(2025, 1, 1), ends_on=date(2025, 2, 1))
    db_session.add(campaign)
    db_session.flush()
    officer = user("cskv1")
    homes = db_session.scalars(sa.select(Household).order_by(Household.id)).all()
    homes[3].status = "moved"
    at = datetime(2025, 1, 5, 3)
    for n, home in enumerate(homes):
        for k in range(n % 4):
            withdrawn = (n + k) % 5 == 0
            db_session.add(Visit(id=uuid.uuid4(), household_id=home.id, campaign_id=campaign.id,
                                 user_id=officer.id, outcome=OUTCOMES[(n // 4 + k) % 4],
                                 recorded_at=at + timedelta(hours=n + k), received_at=at,
                                 replaced_at=at if withdrawn else None,
                                 replaced_reason="withdrawn" if withdrawn else None))
    db_session.commit()
    return campaign


def _counts(rows) -> dict[str, Counter]:
    return {r.village.code: Counter({s: n for s, n in r.counts.items() if n}) for r in rows}


def _truth(campaign_id: int, codes) -> dict[str, Counter]:
    expected = truth.by_village(campaign_id)
    return {code: +expected[code] for code in codes}


def test_admin_rollup_of_every_village_matches_the_rules(db_session):
    campaign = _province(db_session)
    admin = user("quantri")
    area = queries.area(admin, campaign)
    assert queries.whole_commune(admin, campaign)
    whole = queries.village_coverage(campaign.id, area, whole=True)
    narrow = queries.village_coverage(campaign.id, area, whole=False)
    expected = _truth(campaign.id, [r.village.code for r in whole])
    assert len(whole) == db_session.scalar(sa.select(sa.func.count()).select_from(Village))
    assert _counts(whole) == _counts(narrow) == expected
    assert sum(expected.values(), Counter())["warned"] > 0
    assert [r.youth for r in whole] == [r.youth for r in narrow]
    assert queries.total(whole).households == db_session.scalar(sa.select(sa.func.count()).select_from(Household))


def test_commander_sees_the_province_campaign_for_their_commune_only(db_session):
    campaign = _province(db_session)
    commander = user("chihuy")
    assert not queries.whole_commune(commander, campaign)
    rows = queries.village_coverage(campaign.id, queries.area(commander, campaign))
    assert "B01" not in {r.village.code for r in rows} and len(rows) == 31
    assert _counts(rows) == _truth(campaign.id, [r.village.code for r in rows])


def test_admin_pages_for_the_province_campaign(client, auth, db_session):
    campaign = _province(db_session)
    expected = sum(truth.by_village(campaign.id).values(), Counter())
    auth.login("quantri")
    html = client.get(f"/coverage/?campaign={campaign.id}").get_data(as_text=True)
    assert f'data-total="warned">{expected["warned"]}<' in html
    csv = client.get(f"/exports/coverage.csv?campaign={campaign.id}").get_data(as_text=True)
    assert "B01" in csv
    assert client.get(f"/reports/campaigns/{campaign.id}").status_code == 200
