"""The commander's dashboard on a phone (390 px): the village table within three screens,
its header kept in view while it scrolls, sections that fold; on a desktop (1366 px) two
columns that use the width."""
from __future__ import annotations

import pytest

from tests.browser.test_accessibility import sign_in

pytestmark = pytest.mark.browser

SCREEN = 844


def test_phone_reaches_the_village_table_within_three_screens(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": SCREEN}, locale="vi-VN", has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "chihuy")
        page.goto(f"{live_server.url}/coverage/")
        facts = page.evaluate("""() => {
            const table = document.querySelector('.villages-card');
            const th = document.querySelector('.villages-card thead th');
            const box = document.querySelector('.villages-card .table-box');
            box.scrollTop = 400;
            return {top: table.getBoundingClientRect().top + scrollY, width: document.documentElement.scrollWidth,
                    sticky: getComputedStyle(th).position, thTop: th.getBoundingClientRect().top - box.getBoundingClientRect().top,
                    folds: document.querySelectorAll('main details.card').length};
        }""")
        assert facts["top"] <= 3 * SCREEN, facts
        assert facts["width"] <= 390 and facts["sticky"] == "sticky" and abs(facts["thTop"]) < 2, facts
        assert facts["folds"] >= 3  # who is behind, villages behind, the chart, officer activity
    finally:
        context.close()


def test_desktop_uses_the_width(live_server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "chihuy")
        page.goto(f"{live_server.url}/coverage/")
        side, table = (page.locator(sel).bounding_box() for sel in (".dash-side", ".dash-main"))
        assert table["x"] > side["x"] + side["width"] - 1  # side by side
        assert side["width"] + table["width"] > 1100 and table["y"] < 200
    finally:
        context.close()
