"""A commitment photo taken offline in Chromium: shrunk on the phone, kept with the visit in
IndexedDB, sent after the visit's receipt, and shown once on the household page."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.browser.test_csp import WATCH
from tests.browser.test_offline import back_online, phone_gone_offline, server, until  # noqa: F401 (fixture)
from tests.helpers import unvisited_household, village, visits_of

pytestmark = pytest.mark.browser


def camera_photo(path) -> int:
    """A 12-megapixel-like photo straight from a phone camera: large and noisy (several MB)."""
    image = Image.merge("RGB", [Image.effect_noise((3000, 2000), 60 + 10 * n) for n in range(3)])
    image.save(path, "JPEG", quality=95)
    return path.stat().st_size


def test_a_photo_taken_offline_lands_once_on_the_household_page(browser, server, sqlite_app, tmp_path):  # noqa: F811
    with sqlite_app.app_context():
        t04 = village("T04").id
        household_id = unvisited_household("T04").id
    photo = tmp_path / "camera.jpg"
    assert camera_photo(photo) > 2 * 1024 * 1024  # more than the server takes: the phone shrinks it
    phone, page = phone_gone_offline(browser, server, tmp_path / "phone", t04)

    page.goto(f"{server.url}/households/{household_id}")
    page.locator("#offline-none").wait_for()
    form = page.locator("form[data-offline-visit]")
    form.get_by_text("Đã cảnh báo").first.click()
    form.locator("input[name=photo]").set_input_files(str(photo))
    page.locator("[data-photo-note]", has_text="KB").wait_for()
    assert page.locator("[data-photo-preview]").is_visible()
    form.get_by_role("button", name="Lưu lượt đến nhà").click()
    page.wait_for_url(f"**/villages/{t04}*")
    kept = page.evaluate("TN.photos.all().then(function (l) { return l.map(function (p) { return [p.size, p.blob.type]; }); })")
    assert len(kept) == 1 and kept[0][0] <= 250 * 1024 and kept[0][1] == "image/jpeg"

    back_online(page, server)
    until(page, "TN.photos.all().then(function (l) { return l.length === 0; })")
    page.get_by_role("button", name="Đồng bộ").click()  # a later sync sends nothing again
    page.wait_for_timeout(500)

    page.goto(f"{server.url}/households/{household_id}")
    shown = page.locator('img[data-photo-visit]')
    shown.first.wait_for()
    assert shown.count() == 1
    width = page.evaluate("""(async () => {
        const img = document.querySelector('img[data-photo-visit]');
        img.loading = 'eager';
        await img.decode();
        return img.naturalWidth; })()""")
    assert 0 < width <= 1600  # pure noise hardly compresses: the phone shrank it further to fit 250 KB
    with sqlite_app.app_context():
        from fieldapp.extensions import db
        from fieldapp.models import CommitmentPhoto

        [visit] = visits_of(household_id)
        stored = db.session.scalars(sa.select(CommitmentPhoto)).all()
        assert [p.visit_id for p in stored] == [visit.id]
        assert stored[0].size_bytes <= 250 * 1024
        assert Image.open(io.BytesIO(stored[0].content)).size[0] == width == stored[0].width

    # The preview is a blob: image, which the Content-Security-Policy lets through (img-src blob:).
    phone.add_init_script(WATCH)
    policy = page.goto(f"{server.url}/households/{household_id}").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "blob:" in policy
    page.locator("form input[name=photo]").first.set_input_files(str(photo))
    # The page holds more than one visit form (walk: the full form and the correction form), the
    # first of which may be folded away: wait for its note's text, not for it to show.
    until(page, "document.querySelector('[data-photo-note]').textContent.indexOf('KB') >= 0")
    until(page, "document.querySelector('[data-photo-preview]').naturalWidth > 0")
    assert page.evaluate("document.querySelector('[data-photo-preview]').src").startswith("blob:")
    assert page.evaluate("window.__violations") == []
    phone.close()
