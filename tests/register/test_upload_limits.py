"""Uploads that cannot sink the server: a hard body limit that holds for chunked bodies,
workbooks checked for zip bombs before they are opened, CSV lines, columns and values
bounded, a row limit per file, cleaned file names; every refusal said in Vietnamese."""
from __future__ import annotations

import gc
import http.client
import io
import zipfile
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from fieldapp.extensions import db
from fieldapp.jobs.worker import Worker
from fieldapp.models import ImportRun, Job, StoredFile
from fieldapp.register.readers import FileRefused, clean_filename, read_rows
from tests.browser.conftest import LiveServer
from tests.conftest import Auth

from .files import GOOD, HEADER, csv_file, xlsx_file

BOUNDARY = "tungnha-boundary"


def _run_count():
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(ImportRun.id)))


def _stored():
    """(stored files, queued jobs): what an upload leaves for a worker."""
    db.session.rollback()
    return (db.session.scalar(sa.select(sa.func.count(StoredFile.id))),
            db.session.scalar(sa.select(sa.func.count(Job.id)).where(Job.kind == "import_households")))


def _chunked_post(url: str, path: str, cookie: str, parts, content_type: str):
    """POST a body of unannounced length (Transfer-Encoding: chunked) to a real server."""
    split = urlsplit(url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
    conn.putrequest("POST", path)
    conn.putheader("Cookie", cookie)
    conn.putheader("Content-Type", content_type)
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    try:
        for part in parts:
            conn.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before the end: what a limit should do
    response = conn.getresponse()
    status, location = response.status, response.getheader("Location") or ""
    conn.close()
    return status, location


def _multipart(token: str, megabytes: int):
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ncheck\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lon.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode()
    yield head + ",".join(HEADER).encode() + b"\r\n"
    row = b"T01,X,Nguyen Van A,,,2,0,,\r\n" * 4000  # about 110 KB
    for _ in range(megabytes * 1024 * 1024 // len(row) + 1):
        yield row
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


# Werkzeug leaves the temporary file of a part cut off by the limit to the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_chunked_body_over_the_limit_is_refused_and_nothing_is_stored(sqlite_app, tmp_path):
    sqlite_app.config.update(IMPORT_MAX_BYTES=1024 * 1024, MAX_CONTENT_LENGTH=256 * 1024)
    client = sqlite_app.test_client()
    auth = Auth(client)
    auth.login("quantri")
    token = auth.token()
    cookie = f"session={client.get_cookie('session').value}"
    server = LiveServer(sqlite_app).start()
    try:
        with sqlite_app.app_context():
            before, stored = _run_count(), _stored()
            status, location = _chunked_post(server.url, "/register/imports", cookie, _multipart(token, 4),
                                             f"multipart/form-data; boundary={BOUNDARY}")
            assert status in (302, 413) and (status == 413 or location.endswith("/register/"))
            assert _run_count() == before
            assert _stored() == stored
            # Every other URL takes at most MAX_CONTENT_LENGTH, announced or not.
            status, _location = _chunked_post(server.url, "/language", cookie, [b"lang=vi&x=" + b"y" * 600_000],
                                              "application/x-www-form-urlencoded")
            assert status == 413
    finally:
        server.stop()
        gc.collect()


def test_an_announced_body_over_the_limit_is_refused_everywhere(client, auth):
    auth.login("cskv1")
    big = auth.post("/language", {"lang": "vi", "pad": "x" * (3 * 1024 * 1024)})
    assert big.status_code == 413 and "quá lớn" in big.get_data(as_text=True)


def _zip_with(path, extra: dict[str, bytes], base_rows=GOOD):
    """A real workbook with extra members added (what a crafted file would carry)."""
    xlsx_file(path, base_rows)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as book:
        for name, data in extra.items():
            book.writestr(name, data)
    return path


@pytest.mark.parametrize("extra", [
    {"xl/media/bomb.bin": b"\0" * (40 * 1024 * 1024)},  # 40 MB of zeros in about 40 KB
    {f"xl/media/p{n}.bin": b"x" for n in range(600)},  # too many members
    {"xl/sharedStrings2.xml": b"<a/>" * (1024 * 1024)},  # packed a thousand times
])
def test_xlsx_bombs_are_refused_before_parsing(tmp_path, app, extra):
    path = _zip_with(tmp_path / "bom.xlsx", extra)
    with app.test_request_context(), pytest.raises(FileRefused) as refused:
        list(read_rows(path, "xlsx"))
    assert "giải nén" in str(refused.value)


def test_an_uploaded_bomb_is_refused_at_once_and_never_queued(client, auth, db_session, tmp_path):
    auth.login("chihuy")
    data = _zip_with(tmp_path / "bom.xlsx", {"xl/media/bomb.bin": b"\0" * (40 * 1024 * 1024)}).read_bytes()
    before = (_run_count(), _stored())
    page = auth.post("/register/imports", {"file": (io.BytesIO(data), "bom.xlsx"), "mode": "check"},
                     content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "giải nén" in page and "Excel" in page  # the reason, in Vietnamese, on the upload form
    assert (_run_count(), _stored()) == before  # nothing stored, no job for a worker


def test_a_real_workbook_passes_the_bomb_checks(tmp_path, app):
    rows = [["T01", f"C{n}", "Nguyễn Văn A", f"Số {n}", "", "3", "1", "", ""] for n in range(3000)]
    with app.test_request_context():
        assert len(list(read_rows(xlsx_file(tmp_path / "ok.xlsx", rows), "xlsx"))) == 3001


@pytest.mark.parametrize("text, reason", [
    (",".join(HEADER) + "\r\nT01," + "x" * 30_000 + "\r\n", "dài hơn"),
    (",".join(HEADER + [f"c{n}" for n in range(60)]) + "\r\n", "cột"),
    (",".join(HEADER) + "\r\nT01,N1," + "A" * 3000 + ",,,2,0,,\r\n", "dài hơn 2000"),
])
def test_csv_lines_columns_and_values_are_bounded(tmp_path, app, text, reason):
    path = tmp_path / "x.csv"
    path.write_text(text)
    with app.test_request_context(), pytest.raises(FileRefused) as refused:
        list(read_rows(path, "csv"))
    assert reason in str(refused.value)


def test_a_file_over_the_row_limit_is_refused_and_nothing_written(make_app, db_session, tmp_path):
    app = make_app(IMPORT_MAX_ROWS=2)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["import-households", str(csv_file(tmp_path / "a.csv", GOOD))])
    assert result.exit_code == 1 and "hơn 2 hộ" in result.output and "IMPORT_MAX_ROWS" in result.output


@pytest.mark.parametrize("rows, reason", [
    (GOOD, "hơn 2 hộ"),  # IMPORT_MAX_ROWS, found while the job reads the file
    ([GOOD[0], ["T01", "N9", "A" * 3000, "", "", "2", "0", "", ""]], "dài hơn 2000"),  # a CSV bound
])
def test_rows_past_the_limits_refuse_the_job_with_a_message(make_app, db_session, tmp_path, rows, reason):
    app = make_app(IMPORT_MAX_ROWS=2)
    auth = Auth(app.test_client())
    auth.login("chihuy")
    data = csv_file(tmp_path / "a.csv", rows).read_bytes()
    where = auth.post("/register/imports", {"file": (io.BytesIO(data), "a.csv"), "mode": "import"},
                      content_type="multipart/form-data").headers["Location"]
    with app.app_context():
        Worker(app, "w").run(once=True)
        page = auth.client.get(where).get_data(as_text=True)
        assert 'data-run-status="refused"' in page and reason in page
        db.session.remove()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(codec="utf-8"), max_size=300), ext=st.sampled_from([".csv", ".xlsx", ".json", ".pdf", ""]))
def test_any_file_name_is_cleaned_and_never_a_500(client, auth, name, ext):
    if not auth.client.get_cookie("session"):
        auth.login("quantri")
    answer = auth.post("/register/imports", {"file": (io.BytesIO(b"a,b\r\n"), name + ext), "mode": "check"},
                       content_type="multipart/form-data")
    assert answer.status_code in (302, 303), answer.status_code
    cleaned = clean_filename(name + ext)
    assert len(cleaned) <= 100 and "/" not in cleaned and "\\" not in cleaned
    assert cleaned.isprintable() or not any(c in cleaned for c in "\0\r\n\t")


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd.csv", "passwd.csv"), ("C:\\Users\\an\\Danh sách hộ.xlsx", "Danh sách hộ.xlsx"),
    ("hộ\x00\u202e.csv", "hộ.csv"), ("   ", "upload"), ("a" * 300 + ".xlsx", "a" * 95 + ".xlsx"),
])
def test_file_names_are_cleaned(raw, clean):
    assert clean_filename(raw) == clean
