"""Commune onboarding from the admin pages: a commune by its official code, its commander,
its villages from a file (all or nothing)."""
from __future__ import annotations

import io

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Commune, User, Village


def _commune(code):
    db.session.rollback()
    return db.session.scalar(sa.select(Commune).where(Commune.code == code))


def _upload(auth, commune, text: str, name="thon.csv"):
    return auth.post(f"/register/communes/{commune.id}/villages",
                     {"villages-file": (io.BytesIO(text.encode()), name)}, content_type="multipart/form-data")


def test_only_admins_onboard_communes(client, auth, db_session):
    auth.login("chihuy")
    assert client.get("/register/communes/").status_code == 403
    assert auth.post("/register/communes/", {"code": "23818"}).status_code == 403


def test_admin_adds_a_commune_its_commander_and_its_villages(client, auth, db_session):
    auth.login("quantri")
    refused = auth.post("/register/communes/", {"code": "99999"})
    assert refused.status_code == 422 and "không có trong danh mục" in refused.get_data(as_text=True)
    assert auth.post("/register/communes/", {"code": "21034"}).status_code == 422  # already here
    added = auth.post("/register/communes/", {"code": "23818"})
    commune = _commune("23818")
    assert added.status_code == 302 and added.location.endswith(f"/register/communes/{commune.id}")
    assert commune.name == "Xã Kon Chiêng" and commune.province.name == "Gia Lai"
    page = client.get(added.location).get_data(as_text=True)
    assert "Xã Kon Chiêng" in page and "Gia Lai (52)" in page

    answer = auth.post(f"/register/communes/{commune.id}/commander",
                       {"commander-username": "chihuykc", "commander-full_name": "Y Bih",
                        "commander-password": "matkhau123"})
    assert answer.status_code == 302
    db.session.rollback()
    chief = db.session.scalar(sa.select(User).where(User.username == "chihuykc"))
    assert (chief.role, chief.commune_id) == ("commander", commune.id)

    bad = _upload(auth, commune, "code,name\nL01,Làng Kon Chiêng\nL01,Làng Hai\n,Làng Ba\n")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Dòng 3" in text and "Dòng 4" in text
    assert db.session.scalar(sa.select(sa.func.count(Village.id)).where(Village.commune_id == commune.id)) == 0
    good = _upload(auth, commune, "code,name\nL01,Làng Kon Chiêng\nL02,Làng Hai\n")
    assert good.status_code == 302
    db.session.rollback()
    assert db.session.scalars(sa.select(Village.code).where(Village.commune_id == commune.id)
                              .order_by(Village.code)).all() == ["L01", "L02"]


def test_an_unknown_commune_page_is_404(client, auth, db_session):
    auth.login("quantri")
    assert client.get("/register/communes/99999").status_code == 404
