"""Official administrative units: add-commune by code, province users, renamed and merged
communes keeping their history, the migration of communes made before official units."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Commune, CommuneHistory, Household, Province, User, Village, Visit
from fieldapp.register import units
from tests.helpers import user

AN_PHU, BINH_SON, CAM_THANH, KON_CHIENG = "21034", "21040", "21025", "23818"


def _commune(code: str) -> Commune | None:
    db.session.rollback()
    return db.session.scalar(sa.select(Commune).where(Commune.code == code))


def _visit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Visit))


def test_the_official_list_has_34_provinces_and_3321_communes():
    assert len(units.provinces()) == 34
    assert sum(len(units.communes_of(p.code)) for p in units.provinces()) == 3321
    an_phu = units.commune(AN_PHU)
    assert (an_phu.name, an_phu.kind, an_phu.province.code, an_phu.province.name) == ("Xã An Phú", "xã", "51",
                                                                                     "Quảng Ngãi")


def test_the_demo_commune_has_its_official_code_and_province(db_session):
    commune = db_session.scalar(sa.select(Commune))
    assert (commune.code, commune.name, commune.province.code, commune.province.name) == (
        AN_PHU, "Xã An Phú", "51", "Quảng Ngãi")
    assert commune.in_sentence == "xã An Phú"


def test_add_commune_takes_name_and_province_from_the_official_list(runner, db_session):
    result = runner.invoke(args=["add-commune", KON_CHIENG])
    assert result.exit_code == 0, result.output
    commune = _commune(KON_CHIENG)
    assert commune.name == "Xã Kon Chiêng" and commune.province.code == "52" and commune.province.name == "Gia Lai"
    assert "Xã Kon Chiêng" in result.output


def test_add_commune_refuses_unknown_malformed_and_duplicate_codes_with_the_reason(runner, db_session):
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Commune))
    for code, reason in (("99999", "không có trong danh mục"), ("2103", "5 chữ số"),
                         ("abcde", "5 chữ số"), (AN_PHU, "đã có")):
        result = runner.invoke(args=["add-commune", code])
        assert result.exit_code != 0, code
        assert reason in result.output and "19/2025" in result.output or code == AN_PHU, result.output
    db.session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Commune)) == before


def test_create_user_for_a_province_by_its_official_code(runner, db_session):
    result = runner.invoke(args=["create-user", "pa05", "--role", "province", "--province", "51",
                                 "--password", "Quang-Ngai-Tinh-51"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    staff = user("pa05")
    assert staff.role == "province" and staff.province.code == "51" and staff.commune_id is None
    for code in ("02", "5", ""):  # Hà Giang was merged into Tuyên Quang in 2025
        args = ["create-user", f"pa{code or 'x'}", "--role", "province", "--password", "Quang-Ngai-Tinh-51"]
        result = runner.invoke(args=args + (["--province", code] if code else []))
        assert result.exit_code != 0 and "tỉnh" in result.output, result.output


def test_a_renamed_commune_keeps_its_old_code_and_its_visits(runner, db_session):
    visits = _visit_count()
    result = runner.invoke(args=["rename-commune", AN_PHU, BINH_SON])
    assert result.exit_code == 0, result.output
    commune = _commune(BINH_SON)
    assert commune.name == "Xã Bình Sơn" and [(h.code, h.name, h.change) for h in commune.history] == [
        (AN_PHU, "Xã An Phú", "renamed")]
    assert len(commune.villages) == 31 and _visit_count() == visits
    again = runner.invoke(args=["add-commune", AN_PHU])
    assert again.exit_code != 0 and BINH_SON in again.output and "Xã Bình Sơn" in again.output


def test_a_merged_commune_moves_its_villages_and_people_and_retires_its_code(runner, db_session):
    assert runner.invoke(args=["add-commune", CAM_THANH]).exit_code == 0
    other = _commune(CAM_THANH)
    db_session.add_all([Village(commune_id=other.id, code="T01", name="Tổ 1"),
                        Village(commune_id=other.id, code="TDP9", name="Tổ 9")])
    db_session.flush()
    clash = db_session.scalar(sa.select(Village).where(Village.commune_id == other.id, Village.code == "T01"))
    db_session.add(Household(id=uuid.uuid4(), village_id=clash.id, code="1", head_name="Trần Văn C"))
    db_session.add(User(username="chihuy2", role="commander", commune_id=other.id, password_hash="x"))
    db_session.commit()
    result = runner.invoke(args=["merge-commune", CAM_THANH, AN_PHU])
    assert result.exit_code == 0, result.output
    survivor, retired = _commune(AN_PHU), _commune(CAM_THANH)
    codes = {v.code for v in survivor.villages}
    assert {f"{CAM_THANH}-T01", "TDP9", "T01"} <= codes and len(codes) == 33
    assert retired.merged_into_id == survivor.id and retired.villages == []
    assert user("chihuy2").commune_id == survivor.id
    assert [(h.code, h.change) for h in survivor.history] == [(CAM_THANH, "merged")]
    again = runner.invoke(args=["add-commune", CAM_THANH])
    assert again.exit_code != 0 and AN_PHU in again.output


def test_the_migration_gives_an_older_commune_its_official_code(tmp_path):
    """A database made before official units (commune "AP", province as text) upgrades to
    the official code, the old one kept in history."""
    from flask_migrate import upgrade

    from fieldapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}", "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="6a1f0c3d9b27")  # the revision before official units
        db.session.execute(sa.text("INSERT INTO communes (code, name, province) VALUES "
                                   "('AP', 'An Phú', 'Quảng Ngãi'), ('ZZ', 'Nowhere', 'Atlantis')"))
        db.session.commit()
        upgrade()
        rows = db.session.execute(sa.text("SELECT c.code, c.name, p.code FROM communes c "
                                          "LEFT JOIN provinces p ON p.id = c.province_id ORDER BY c.id")).all()
        assert [tuple(r) for r in rows] == [(AN_PHU, "Xã An Phú", "51"), ("ZZ", "Nowhere", None)]
        assert db.session.scalars(sa.select(CommuneHistory.code)).all() == ["AP"]
        assert db.session.scalars(sa.select(Province.name)).all() == ["Quảng Ngãi"]
        db.session.remove()
        db.engine.dispose()
