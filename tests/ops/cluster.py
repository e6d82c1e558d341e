"""Real processes for the province tests: app servers (gunicorn) on their own ports and job
workers (`flask worker`), all on one database, and a phone that talks HTTP to any of them.

Every process gets the same SECRET_KEY (a session signed by one server is read by the
other) and a short job lease, so a killed worker's job comes back within seconds."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """Processes started here are stopped by `close` (or killed by a test on purpose)."""

    def __init__(self, db_url: str, logs: Path):
        self.db_url, self.logs = db_url, logs
        self.procs: list[subprocess.Popen] = []
        self.env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "cluster-test",
                    "LOGIN_RATE_LIMIT": "10000 per minute", "LEASE_SECONDS": str(LEASE_SECONDS),
                    "WORKER_POLL_SECONDS": "0.2", "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        out.close()
        self.procs.append(proc)
        return proc

    def server(self, name: str) -> tuple[subprocess.Popen, int]:
        """A gunicorn app server (1 process, 4 threads); returns once /healthz answers."""
        port = free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        proc = self._spawn(name, [gunicorn, "--workers", "1", "--threads", "4", "--no-control-socket",
                                  "--bind", f"127.0.0.1:{port}", "fieldapp:create_app()"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    return proc, port
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{name} did not start: {(self.logs / f'{name}.log').read_text()[-2000:]}")

    def worker(self, name: str) -> subprocess.Popen:
        flask = [sys.executable, "-m", "flask", "--app", "fieldapp"]
        return self._spawn(name, flask + ["worker", "--name", name])

    def kill(self, proc: subprocess.Popen) -> None:
        """As a crash or the OOM killer does: no clean-up of any kind."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def close(self) -> None:
        """Stop every process, then end the database sessions a killed one left behind."""
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        engine = sa.create_engine(self.db_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        engine.dispose()


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.msg, answer.read()
    finally:
        conn.close()


class Phone:
    """One officer's phone behind a load balancer: one session cookie, whichever server."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.device = f"phone-{uuid.uuid4().hex[:8]}"
        self.seq = 0

    def call(self, port: int, method: str, path: str, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, bytes]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, answer_headers, data = request(port, method, path, body,
                                               {**(headers or {}), **({"Cookie": cookie} if cookie else {})})
        for line in answer_headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, data

    def login(self, port: int, username: str) -> None:
        html = self.call(port, "GET", "/login")[1].decode()
        token = html.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        form = f"username={username}&password=demo1234&csrf_token={token}".encode()
        status, _ = self.call(port, "POST", "/login", form,
                              {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, status

    def token(self, port: int) -> str:
        return json.loads(self.call(port, "GET", "/api/session")[1])["csrf_token"]

    def send(self, port: int, entries: list[dict], batch_id: str) -> tuple[int, dict | None]:
        """POST one batch (the outbox sends the same batch id again on a retry)."""
        body = json.dumps({"batch_id": batch_id, "device_id": self.device, "entries": entries}).encode()
        status, data = self.call(port, "POST", "/api/sync/batch", body, {
            "Content-Type": "application/json", "X-CSRFToken": self.token(port)})
        return status, json.loads(data) if status == 200 else None

    def upload(self, port: int, path: str, name: str, data: bytes, fields: dict) -> tuple[int, str]:
        """POST a multipart form with one file (as the upload page does); returns the
        status and where it redirects."""
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, answer_headers, _ = request(port, "POST", path, body, {
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie})
        return status, answer_headers.get("Location", "")
