"""A live server on loopback and Debian's headless Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import threading
import time

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(sqlite_app):
    server = LiveServer(sqlite_app).start()
    yield server
    server.stop()


@pytest.fixture
def live_worker(sqlite_app):
    """A job worker beside the live server (as `make run` starts one), in a thread."""
    from fieldapp.jobs.worker import Worker

    worker = Worker(sqlite_app, "browser-test-worker")
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    yield worker
    worker.stop()
    thread.join(30)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium is not installed (`make test` installs it as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                  device_scale_factor=1, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base_url: str, username: str, password: str = "demo1234") -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.startswith(base_url) and "/login" not in url)  # the role's home


def until(page, script: str, seconds: float = 15):
    """Wait until an async expression in the page is true. (Playwright's wait_for_function
    evaluates its string with eval in the page, which the Content-Security-Policy forbids.)"""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, script
        page.wait_for_timeout(100)


def wait_until(page, expression: str, timeout: float = 30) -> None:
    """`until` with the longer default the sync tests use."""
    until(page, expression, timeout)

