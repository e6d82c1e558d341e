""""Chia sẻ" in Chromium: with the Web Share API for files the file goes to the share sheet;
without it (desktop Chromium) the same tap downloads the file."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in, until
from tests.helpers import village

pytestmark = pytest.mark.browser


def test_share_downloads_where_files_cannot_be_shared(sqlite_app, live_server, browser):
    with sqlite_app.app_context():
        t05 = village("T05").id
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/coverage/villages/{t05}/walk")
    page.add_init_script("delete Navigator.prototype.canShare; delete Navigator.prototype.share;")
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Chia sẻ").click()
    assert download.value.suggested_filename == "danh-sach-di-T05.xlsx"
    context.close()


def test_share_hands_the_file_to_the_share_sheet(sqlite_app, live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    page.add_init_script("""window.__shared = null;
        Navigator.prototype.canShare = function (d) { return !!(d && d.files && d.files.length); };
        Navigator.prototype.share = function (d) { window.__shared = {name: d.files[0].name, size: d.files[0].size, title: d.title}; return Promise.resolve(); };""")
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/reports/campaigns/1")
    page.get_by_role("link", name="Chia sẻ").click()
    until(page, "window.__shared !== null")
    shared = page.evaluate("window.__shared")
    assert shared["name"] == "bao-cao-ket-qua-c1.xlsx" and shared["size"] > 1000
    context.close()
