"""A PA05 account of the demo's province (Quảng Ngãi, 51) and a commune of another province."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from fieldapp.auth.services import create_user
from fieldapp.models import Commune, Household, Province, Village
from fieldapp.register import communes


@pytest.fixture
def pa05(db_session):
    province = db_session.scalar(sa.select(Province).where(Province.code == "51"))
    create_user("pa05", "demo1234", "province", full_name="Phòng PA05", province_id=province.id)
    db_session.commit()
    return "pa05"


@pytest.fixture
def elsewhere(db_session) -> dict:
    """Xã Kon Chiêng (Gia Lai) with a village and two households."""
    commune = communes.add("23818")
    village = Village(commune_id=commune.id, code="L01", name="Làng Một")
    db_session.add(village)
    db_session.flush()
    homes = [Household(id=uuid.uuid4(), village_id=village.id, code=str(i), head_name="Đinh Văn Nhơn", youth=1,
                       members=3) for i in range(2)]
    db_session.add_all(homes)
    db_session.commit()
    return {"commune": commune.id, "village": village.id, "household": str(homes[0].id)}


def commune_of(db_session, code: str) -> Commune:
    return db_session.scalar(sa.select(Commune).where(Commune.code == code))
