"""Village page of ~340 households: server time and bytes on the wire; JS weight on officer pages."""
from __future__ import annotations

import re

import sqlalchemy as sa

from .common import Result, compressed_sizes, login, make_app, timed


def run(tmp):
    app = make_app(tmp, households=340, villages=6, name="village.sqlite3")
    client = app.test_client()
    login(client, "chihuy")  # a commander sees every village, quick actions included
    from fieldapp.extensions import db
    from fieldapp.models import Household, Village

    with app.app_context():
        village_id, count = db.session.execute(
            sa.select(Village.id, sa.func.count(Household.id)).join(Household)
            .group_by(Village.id).order_by(sa.func.count(Household.id).desc())).first()
    url = f"/villages/{village_id}"
    page = client.get(url, headers={"Accept-Encoding": "br"})
    assert page.status_code == 200, page.status_code
    wire = len(page.data)
    body = client.get(url).data
    sizes = compressed_sizes(body)
    times = timed(lambda: client.get(url), repeat=30)
    search = timed(lambda: client.get(url + "?q=nguyen", headers={"HX-Request": "true"}), repeat=30)
    scripts = re.findall(r'<script src="([^"]+)"', body.decode())
    js_br = sum(len(client.get(s, headers={"Accept-Encoding": "br"}).data) for s in scripts)
    js_gzip = sum(compressed_sizes(client.get(s).data)["gzip"] for s in scripts)
    return [
        Result(f"village page ({count} households) server time, median", times["median"], "ms", 50),
        Result("village page server time, p95", times["p95"], "ms"),
        Result("village page on the wire (br, as served)", wire / 1024, "KB", 30),
        Result("village page gzip", sizes["gzip"] / 1024, "KB", 30, f"raw {sizes['raw'] / 1024:.0f} KB"),
        Result("htmx search fragment ?q=nguyen, median", search["median"], "ms", 50),
        Result("JavaScript on officer pages (br, as served)", js_br / 1024, "KB", 40, ", ".join(scripts)),
        Result("JavaScript on officer pages (gzip)", js_gzip / 1024, "KB", 40),
    ]
