"""Only the report documents of `b_province`, on a province database it kept
(BENCH_PROVINCE_DB): median and p95 of 15 requests each, and the load average around them.

    BENCH_PROVINCE_DB=<name> .venv/bin/python -m bench.docx_only
"""
from __future__ import annotations

import os

from .common import login, timed


def main() -> None:
    from fieldapp import create_app

    from .province_data import ids

    server, name = os.environ["FIELDAPP_TEST_PG"], os.environ["BENCH_PROVINCE_DB"]
    app = create_app({"SQLALCHEMY_DATABASE_URI": server.rsplit("/", 1)[0] + "/" + name, "SECRET_KEY": "bench"})
    with app.app_context():
        known = ids()
    campaign = known["province_campaign"]
    for username, url in ((f"chihuy{known['commune']}", f"/reports/campaigns/{campaign}.docx"),
                          ("pa05", f"/reports/campaigns/{campaign}.docx"), ("pa05", "/reports/province.docx")):
        client = app.test_client()
        login(client, username)
        assert client.get(url).status_code == 200
        before = os.getloadavg()[0]
        times = timed(lambda: client.get(url), repeat=15, warmup=2)
        print(f"{username:10} {url:28} median {times['median']:6.0f} ms  p95 {times['p95']:6.0f} ms  "
              f"load {before:.1f} → {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
