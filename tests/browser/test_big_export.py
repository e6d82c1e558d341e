"""A commander asks for a big export on a phone: the page follows the worker's job, then the
file downloads; the share button still hands over the file at once."""
from __future__ import annotations

import io
import threading

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SHOTS = "/tmp/machines3-shots"


def test_a_big_export_shows_its_progress_then_downloads(sqlite_app, live_server, browser, tmp_path):
    from fieldapp.jobs.worker import Worker

    sqlite_app.config["EXPORT_JOB_ROWS"] = 20  # the commune's 31 villages make a big export here
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                  accept_downloads=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/coverage/")
    page.get_by_role("link", name="Excel", exact=True).click()
    page.wait_for_url("**/downloads/*")
    section = page.locator("#download")
    assert section.get_attribute("data-download-state") == "queued"
    assert "Đang chờ" in section.inner_text() and "31 dòng" in page.inner_text("main")
    page.screenshot(path=f"{SHOTS}-queued.png", full_page=True)

    worker = Worker(sqlite_app, "browser-export-worker")  # no worker until now: it starts late
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        page.wait_for_selector('#download[data-download-state="ready"]', timeout=30000)  # htmx polls
        button = page.get_by_role("link", name="Tải tệp về")
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300  # a tap target on a phone
        page.screenshot(path=f"{SHOTS}-ready.png", full_page=True)
        with page.expect_download() as download:
            button.click()
        assert download.value.suggested_filename.startswith("coverage-c") and \
            download.value.suggested_filename.endswith(".xlsx")
        path = tmp_path / "coverage.xlsx"
        download.value.save_as(path)
        sheet = load_workbook(io.BytesIO(path.read_bytes())).active
        assert sheet.max_row == 33 and sheet["A2"].value == "T01"  # header, 31 villages, totals
    finally:
        worker.stop()
        thread.join(30)
    context.close()


def test_the_share_button_gets_a_big_export_at_once(sqlite_app, live_server, browser):
    """Where files cannot be shared (desktop Chromium) the share button still saves the file
    itself: it fetches it as a script would, not as a page."""
    sqlite_app.config["EXPORT_JOB_ROWS"] = 0
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.add_init_script("delete Navigator.prototype.canShare; delete Navigator.prototype.share;")
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/reports/campaigns/1")
    with page.expect_download() as download:
        page.get_by_role("link", name="Chia sẻ").click()
    assert download.value.suggested_filename == "bao-cao-ket-qua-c1.xlsx"
    assert load_workbook(io.BytesIO(download.value.path().read_bytes())).active.max_row == 33
    assert page.url.endswith("/reports/campaigns/1")  # no job page
    context.close()
