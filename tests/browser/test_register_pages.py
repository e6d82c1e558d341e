"""The upload page and the merge confirmation in a real headless Chromium at phone width."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Household
from tests.browser.conftest import sign_in
from tests.helpers import households_of

from tests.register.files import HEADER, csv_file

pytestmark = pytest.mark.browser


def test_upload_checks_then_imports_with_progress(live_server, live_worker, page, sqlite_app, tmp_path):
    rows = [[f"T{n % 31 + 1:02d}", f"W{n}", "Nguyễn Văn Tải", "", "", "3", "1", "", ""] for n in range(3000)]
    path = csv_file(tmp_path / "ba-nghin.csv", rows, header=HEADER)
    sign_in(page, live_server.url, "quantri")
    page.goto(f"{live_server.url}/register/")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.locator('[data-run-status="done"]').wait_for(timeout=30000)
    assert "thêm mới 3.000" in page.content()
    with sqlite_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Household.code.like("W%"))) == 3000


def test_merge_asks_before_it_merges(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        keep, drop = households_of("T05")[:2]
        drop.head_name = keep.head_name
        keep_id, drop_id, village_id = keep.id, drop.id, keep.village_id
        db.session.commit()
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/register/duplicates?village={village_id}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    pair = page.locator(f'[data-pair*="{keep_id}"]').first
    pair.locator("form", has=page.locator(f'input[name=into][value="{keep_id}"]')).get_by_role("button").click()
    page.wait_for_timeout(300)
    with sqlite_app.app_context():
        assert db.session.get(Household, drop_id).status == "active"  # dismissed: nothing merged
    page.once("dialog", lambda dialog: dialog.accept())
    pair.locator("form", has=page.locator(f'input[name=into][value="{keep_id}"]')).get_by_role("button").click()
    page.wait_for_url(f"{live_server.url}/households/{keep_id}")
    with sqlite_app.app_context():
        merged = db.session.get(Household, drop_id)
        assert merged.status == "merged" and merged.merged_into_id == keep_id


def test_merge_without_javascript_confirms_on_a_page(live_server, browser, sqlite_app):
    """htmx off (no JavaScript at all): the merge button leads to a page that asks; "cancel"
    leaves both households, the page's own button merges."""
    with sqlite_app.app_context():
        keep, drop = households_of("T07")[:2]
        drop.head_name = keep.head_name
        keep_id, drop_id, village_id = keep.id, drop.id, keep.village_id
        db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "chihuy")
        page.goto(f"{live_server.url}/register/duplicates?village={village_id}")
        pair = page.locator(f'[data-pair*="{keep_id}"]').first
        pair.locator("form", has=page.locator(f'input[name=into][value="{keep_id}"]')).get_by_role("button").click()
        page.locator("[data-confirm]").wait_for()
        page.get_by_role("link", name="Hủy, quay lại").click()
        page.wait_for_url(f"{live_server.url}/households/{drop_id}")
        with sqlite_app.app_context():
            assert db.session.get(Household, drop_id).status == "active"  # cancelled: nothing merged
        page.goto(f"{live_server.url}/register/duplicates?village={village_id}")
        pair.locator("form", has=page.locator(f'input[name=into][value="{keep_id}"]')).get_by_role("button").click()
        page.locator("[data-confirm]").get_by_role("button", name="Gộp").click()
        page.wait_for_url(f"{live_server.url}/households/{keep_id}")
        with sqlite_app.app_context():
            merged = db.session.get(Household, drop_id)
            assert merged.status == "merged" and merged.merged_into_id == keep_id
    finally:
        context.close()
