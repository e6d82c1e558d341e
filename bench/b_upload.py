"""Uploads of 50 MB through HTTP: the peak memory (VmHWM) of the gunicorn worker that takes the
upload and of the job worker that checks it both stay under 500 MB.

Each file goes to a fresh `gunicorn --workers 1 --threads 4` beside a fresh `flask worker` (as
`make run` serves), through the real upload form ("Check only"): the web worker checks the
file's size and what a workbook unpacks to, and stores it; the job worker reads and checks
every row. Each one's peak resident memory is read from /proc/<pid>/status once the run ended. Files: CSV, GeoJSON and XLSX of about 50 MB each,
the XLSX built with the largest shared-string table the zip checks let through (openpyxl
holds that table whole), and a CSV read to its end with the row limit lifted.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from .b_register import write_csv, write_geojson
from .common import Result, make_app

TARGET = 50 * 1024 * 1024
BUDGET_MB = 500


def big_csv(tmp: Path) -> Path:
    path, rows = tmp / "lon.csv", 40_000
    write_csv(path, rows=rows)
    while not TARGET * 0.97 < path.stat().st_size < TARGET:  # just under 50 MB
        rows = int(rows * TARGET * 0.985 / path.stat().st_size)
        write_csv(path, rows=rows)
    return path


def big_geojson(tmp: Path, csv_path: Path) -> Path:
    path = write_geojson(csv_path, tmp / "lon.geojson")
    if path.stat().st_size > TARGET:  # GeoJSON is wordier: keep the first 50 MB of features
        lines = path.read_text(encoding="utf-8").splitlines()
        kept, size = [lines[0]], len(lines[0].encode())
        for line in lines[1:-1]:
            if size + len(line.encode()) + 1 > TARGET - 100:
                break
            kept.append(line)
            size += len(line.encode()) + 1
        path.write_text("\n".join(kept) + "\n]}\n", encoding="utf-8")
    return path


def bomb_sized_xlsx(tmp: Path) -> Path:
    """A valid workbook whose shared strings (unique, Vietnamese) fill just under the zip
    checks' limit, and whose sheet uses them over 200,000 rows: the most openpyxl can be
    made to hold, in a file under 50 MB."""
    from fieldapp.register.readers import XLSX_MAX_SHARED_STRINGS

    strings, size, n = [], 0, 0
    while size < XLSX_MAX_SHARED_STRINGS * 0.97:
        text = f"Nguyễn Văn Thị Hồng {n} ngõ {n % 97}"
        strings.append(f"<si><t>{text}</t></si>")
        size += len(strings[-1].encode())
        n += 1
    header = ["village_code", "code", "head_name", "address", "phone", "members", "youth", "lat", "lon"]
    path = tmp / "lon.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{NS}" count="{n + 9}" uniqueCount="{n + 9}">'
                      + "".join(f"<si><t>{h}</t></si>" for h in header) + "".join(strings) + "</sst>")
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{NS}"><sheetData>'.encode())
            sheet.write(("<row>" + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(9)) + "</row>").encode())
            for r in range(200_000):
                s = 9 + (r * 2) % n
                sheet.write((f'<row><c t="inlineStr"><is><t>T{r % 31 + 1:02d}</t></is></c><c><v>{r}</v></c>'
                             f'<c t="s"><v>{s}</v></c><c t="s"><v>{s + 1}</v></c><c/><c><v>3</v></c>'
                             f'<c><v>1</v></c><c/><c/></row>').encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                 '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                 '</Types>')
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
WORKBOOK = (f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Ho" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                 '</Relationships>')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """Cookies, a CSRF token and a streamed multipart upload over plain http.client."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers={**(headers or {}), "Cookie": cookie})
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        data = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, response.getheader("Location") or "", data

    def login(self, username: str) -> None:
        _status, _loc, html = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        body = f"username={username}&password=demo1234&csrf_token={token}"
        status, _loc, _html = self.request("POST", "/login", body,
                                           {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, status

    def upload(self, path: Path) -> str:
        _status, _loc, page = self.request("GET", "/register/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        boundary = "bench-boundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ncheck\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        body = head + path.read_bytes() + tail
        status, location, _html = self.request("POST", "/register/imports", body,
                                               {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status == 302 and "/imports/" in location, (status, location)
        return location.split("://", 1)[-1].split("/", 1)[-1]

    def wait(self, run_path: str) -> str:
        while True:
            _status, _loc, html = self.request("GET", "/" + run_path.lstrip("/"), headers={"HX-Request": "true"})
            state = re.search(r'data-run-status="(\w+)"', html).group(1)
            if state != "running":
                return state
            time.sleep(1)


def _peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def measure(tmp: Path, file: Path, **settings) -> tuple[float, float, str, float]:
    """(peak MB of the web worker, of the job worker, the run's outcome, seconds) for one
    upload of `file`."""
    db = tmp / f"upload-{file.suffix[1:]}-{len(settings)}.sqlite3"
    make_app(tmp, households=6, villages=31, name=db.name)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "bench",
           **{k: str(v) for k, v in settings.items()}}
    master = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
                               "--bind", f"127.0.0.1:{port}", "--timeout", "600", "fieldapp:create_app()"],
                              env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "gunicorn.log", "ab"))
    jobs = subprocess.Popen([sys.executable, "-m", "flask", "--app", "fieldapp", "worker"],
                            env={**env, "WORKER_POLL_SECONDS": "0.2"}, stdout=subprocess.DEVNULL,
                            stderr=open(tmp / "worker.log", "ab"))
    try:
        client = Client(port)
        for _ in range(100):
            try:
                client.login("quantri")
                break
            except (ConnectionRefusedError, OSError):
                time.sleep(0.3)
        worker = int(subprocess.check_output(["pgrep", "-P", str(master.pid)]).split()[0])
        start = time.perf_counter()
        outcome = client.wait(client.upload(file))
        return _peak_mb(worker), _peak_mb(jobs.pid), outcome, time.perf_counter() - start
    finally:
        for process in (jobs, master):
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def run(tmp: Path):
    csv_path = big_csv(tmp)
    files = [("CSV", csv_path, {}), ("CSV, row limit lifted", csv_path, {"IMPORT_MAX_ROWS": 10_000_000}),
             ("GeoJSON", big_geojson(tmp, csv_path), {}), ("XLSX, largest shared strings", bomb_sized_xlsx(tmp), {})]
    results = []
    for label, path, settings in files:
        web, job, outcome, seconds = measure(tmp, path, **settings)
        size = f"{path.stat().st_size / 1048576:.1f} MB"
        results.append(Result(f"upload {label} {size}: web worker peak", web, "MB", BUDGET_MB, "stores the file"))
        results.append(Result(f"upload {label} {size}: job worker peak", job, "MB", BUDGET_MB,
                              f"run {outcome} after {seconds:.0f} s"))
    return results
