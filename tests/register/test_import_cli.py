"""import-households and import-villages from the command line: all or nothing."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Household, ImportRun, Village
from tests.helpers import village

from .files import GOOD, csv_file, geojson_file, xlsx_file


def _count():
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(Household.id)))


def _imported(code="N1", village_code="T01"):
    db.session.rollback()
    return db.session.scalar(sa.select(Household).join(Village).where(
        Village.code == village_code, Household.code == code))


@pytest.mark.parametrize("maker", [csv_file, xlsx_file, geojson_file])
def test_good_file_imports_and_twice_adds_nothing(runner, db_session, tmp_path, maker):
    ext = {"csv_file": "csv", "xlsx_file": "xlsx", "geojson_file": "geojson"}[maker.__name__]
    path = maker(tmp_path / f"h.{ext}", GOOD)
    before = _count()
    result = runner.invoke(args=["import-households", str(path)])
    assert result.exit_code == 0, result.output
    assert "thêm mới 3, cập nhật 0, không đổi 0" in result.output
    assert _count() == before + 3
    household = _imported()
    assert household.head_name == "Nguyễn Văn Nhập" and household.phone == "0905123456"
    assert (household.members, household.youth, household.lat, household.lon) == (4, 1, 15.12, 108.8)
    assert household.search_key.startswith("n1 nguyen van nhap") and household.source == "register"
    assert _imported("N2").phone == "0912345678"

    again = runner.invoke(args=["import-households", str(path)])
    assert again.exit_code == 0 and "thêm mới 0, cập nhật 0, không đổi 3" in again.output
    assert _count() == before + 3
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "households_import")).all()
    assert len(events) == 2 and events[0].detail["created"] == 3


def test_changed_row_updates_in_place(runner, db_session, tmp_path):
    runner.invoke(args=["import-households", str(csv_file(tmp_path / "a.csv", GOOD))])
    first_id = _imported().id
    changed = [GOOD[0][:5] + ["6", "2", "15.12", "108.80"], *GOOD[1:]]
    result = runner.invoke(args=["import-households", str(csv_file(tmp_path / "b.csv", changed))])
    assert "thêm mới 0, cập nhật 1, không đổi 2" in result.output
    household = _imported()
    assert household.id == first_id and household.members == 6


BAD = [
    GOOD[0],
    ["T99", "B1", "Lê Văn Sai", "", "12345", "bốn", "0", "", ""],
    ["T01", "B2", "Phạm Thị Ngược", "", "", "3", "4", "108.8", "15.1"],
    ["T01", "N1", "Trùng Mã", "", "", "2", "0", "50", "50"],
]


@pytest.mark.parametrize("maker", [csv_file, xlsx_file])
def test_bad_rows_refuse_the_whole_file_naming_lines(runner, db_session, tmp_path, maker):
    path = maker(tmp_path / ("bad.csv" if maker is csv_file else "bad.xlsx"), BAD)
    before = _count()
    result = runner.invoke(args=["import-households", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert "Dòng 3, cột village_code" in out and "T99" in out
    assert "Dòng 3, cột phone" in out and "Dòng 3, cột members" in out
    assert "Dòng 4, cột youth" in out and "Dòng 4, cột lat" in out
    assert "Dòng 5, cột code" in out and "dòng 2" in out and "Dòng 5, cột lat" in out
    assert "Dòng 2," not in out
    assert _count() == before and _imported() is None
    run = db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert run.status == "refused" and run.summary["error_count"] == 7


def test_dry_run_writes_nothing(runner, db_session, tmp_path):
    before = _count()
    result = runner.invoke(args=["import-households", "--dry-run", str(csv_file(tmp_path / "a.csv", GOOD))])
    assert result.exit_code == 0 and "3 hộ" in result.output and _count() == before


@pytest.mark.parametrize("name, content, message", [
    ("latin.csv", "village_code,code,head_name,members\nT01,1,Nguyễn Văn A,3\n".encode("cp1258", "replace")
     .replace(b"?", b"\xe0"), "UTF-8"),
    ("empty.csv", b"", "trống"),
    ("header.csv", b"village_code,code,head_name,members\n", "không có hộ"),
    ("cols.csv", b"village,code,name\nT01,1,A\n", "Thiếu cột"),
    ("list.geojson", b'[{"type": "Feature"}]', "FeatureCollection"),
    ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "JSON"),
    ("notes.docx", b"hello", "CSV, XLSX"),
    ("fake.xlsx", b"not a zip", "XLSX"),
])
def test_malformed_files_get_a_clear_message(runner, db_session, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(args=["import-households", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert message.lower() in result.output.lower(), result.output


def test_several_sheets_and_size_limit(runner, make_app, db_session, tmp_path):
    result = runner.invoke(args=["import-households", str(xlsx_file(tmp_path / "two.xlsx", GOOD, sheets=2))])
    assert result.exit_code == 1 and "2 trang tính" in result.output
    small = make_app(IMPORT_MAX_BYTES=100)
    with small.app_context():
        result = small.test_cli_runner().invoke(args=["import-households", str(csv_file(tmp_path / "a.csv", GOOD))])
    assert result.exit_code == 1 and "quá lớn" in result.output and "tối đa" in result.output


def test_a_running_import_blocks_another(runner, db_session, tmp_path):
    from fieldapp.register import runs
    from fieldapp.register.services import commune_or_only

    runs.start("households", "other.csv", None, commune_or_only())  # holds the commune's lease
    result = runner.invoke(args=["import-households", str(csv_file(tmp_path / "a.csv", GOOD))])
    assert result.exit_code == 1 and "other.csv" in result.output and _imported() is None


def test_a_dead_import_does_not_block(runner, db_session, tmp_path):
    """An import whose process died stops renewing its lease: the next one takes over once it
    has expired, and the dead run is marked failed instead of running for ever."""
    from datetime import timedelta

    from fieldapp.leases import Lease
    from fieldapp.register import runs
    from fieldapp.register.services import commune_or_only
    from fieldapp.timeutil import utcnow

    dead = runs.start("households", "crashed.csv", None, commune_or_only())
    db.session.execute(sa.update(Lease).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    result = runner.invoke(args=["import-households", str(csv_file(tmp_path / "a.csv", GOOD))])
    assert result.exit_code == 0 and _imported() is not None
    db.session.rollback()
    assert db.session.get(ImportRun, dead.id).status == "failed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lease)) == 0  # released with the import


def test_import_villages_csv_and_geojson_boundaries(runner, db_session, tmp_path):
    csv_path = tmp_path / "v.csv"
    csv_path.write_text("code,name\nT01,Thôn Một Mới\nT40,Thôn Bốn Mươi\n")
    result = runner.invoke(args=["import-villages", str(csv_path)])
    assert result.exit_code == 0, result.output
    assert "thêm mới 1, cập nhật 1" in result.output
    db.session.rollback()
    assert village("T01").name == "Thôn Một Mới" and village("T40") is not None
    ring = [[108.80, 15.10], [108.82, 15.10], [108.82, 15.12], [108.80, 15.12], [108.80, 15.10]]
    gj = tmp_path / "v.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "T40", "name": "Thôn Bốn Mươi"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    result = runner.invoke(args=["import-villages", str(gj)])
    assert result.exit_code == 0 and "cập nhật 1" in result.output
    db.session.rollback()
    updated = village("T40")
    assert updated.boundary["type"] == "Polygon" and 15.10 < updated.lat < 15.12


def test_import_villages_refuses_bad_rows(runner, db_session, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("code,name\nT50,\nT51,Thôn A\nT51,Thôn B\n")
    result = runner.invoke(args=["import-villages", str(path)])
    assert result.exit_code == 1 and "Dòng 2, cột name" in result.output and "Dòng 4, cột code" in result.output
    db.session.rollback()
    assert village("T51") is None


def test_two_starts_at_once_never_both_run(app, db_session):
    import threading

    from fieldapp.register import runs
    from fieldapp.register.readers import FileRefused

    barrier, outcomes = threading.Barrier(2), []

    def start(name):
        with app.app_context():
            barrier.wait()
            try:
                runs.start("households", name, None, 1)
                outcomes.append("running")
            except FileRefused:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=start, args=(f"{n}.csv",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 2 and outcomes.count("running") <= 1


def test_others_writing_during_the_check_do_not_break_the_import(app, db_session, tmp_path):
    """Officers keep recording while a big file is checked; the write pass still goes through."""
    from fieldapp.register import runs
    from fieldapp.register.services import import_households

    rows = [[f"T{n % 31 + 1:02d}", f"C{n}", "Nguyễn Văn Chờ", "", "", "2", "0", "", ""] for n in range(2500)]
    path = csv_file(tmp_path / "lon.csv", rows)
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])

    def meanwhile(phase, done, total):
        if phase == "check":
            with other.begin() as conn:  # another connection commits while we read
                conn.execute(sa.update(Village).where(Village.code == "T31").values(name=f"Thôn {done}"))

    db.session.scalar(sa.select(sa.func.count(Household.id)))  # this session has read first
    run = runs.start("households", path.name, None, 1)
    checked = import_households(run.id, path, commune_id=None, echo=meanwhile)
    other.dispose()
    assert checked.error_count == 0
    db.session.rollback()
    assert db.session.get(ImportRun, run.id).summary["created"] == 2500
