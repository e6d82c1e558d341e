"""Vietnamese first: catalogues complete, dd/mm/yyyy, 1.234,5, English per user."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from fieldapp import ROOT
from fieldapp.i18n import number, vn_date, vn_datetime, vn_time
from tests.helpers import user


def _catalog(lang):
    with open(ROOT / "fieldapp" / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f)


def test_every_message_has_a_vietnamese_translation():
    missing = [m.id for m in _catalog("vi") if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert missing == []


def test_catalogue_covers_every_string_in_the_code():
    from babel.messages.extract import extract_from_dir

    method_map = [("fieldapp/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(ROOT, method_map, keywords=keywords)}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog("vi") if m.id}
    assert sorted(found - known) == []


def test_dates_times_and_numbers(app):
    with app.test_request_context(), force_locale("vi"):
        assert vn_date(date(2025, 11, 2)) == "02/11/2025"
        assert vn_datetime(datetime(2025, 11, 12, 2, 15)) == "12/11/2025 09:15"  # UTC → UTC+7
        assert number(1234.5, 1) == "1.234,5"
    with app.test_request_context(), force_locale("en"):
        assert number(1234.5, 1) == "1,234.5"


def test_user_language_switch(client, auth, db_session):
    auth.login("cskv1")
    assert "Thôn của tôi" in client.get("/villages/").get_data(as_text=True)
    auth.post("/language", {"lang": "en", "next": "/villages/"})
    html = client.get("/villages/").get_data(as_text=True)
    assert '<html lang="en">' in html and "My villages" in html
    db_session.expire_all()
    assert user("cskv1").locale == "en"


def test_translations_live_in_the_package():
    assert Path(ROOT / "fieldapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po").exists()


def test_vietnam_dates_and_times_match_babels_zone_conversion(app):
    """The direct UTC+7 of `vn_date`/`vn_datetime`/`vn_time` gives exactly what Babel's
    Asia/Ho_Chi_Minh conversion gives, around midnight, month and year ends, in both languages."""
    import random
    from datetime import timedelta

    from flask_babel import format_datetime

    rng = random.Random(17)
    moments = [datetime(1976, 1, 1) + timedelta(seconds=rng.randrange(60 * 365 * 86400)) for _ in range(400)]
    moments += [datetime(2026, 12, 31, 16, 59, 59), datetime(2026, 12, 31, 17), datetime(2024, 2, 28, 17, 30)]
    for lang in ("vi", "en"):
        with app.test_request_context(), force_locale(lang):
            for moment in moments:
                assert vn_date(moment) == format_datetime(moment, "dd/MM/yyyy"), moment
                assert vn_datetime(moment) == format_datetime(moment, "dd/MM/yyyy HH:mm"), moment
                assert vn_time(moment) == format_datetime(moment, "HH:mm"), moment
                assert vn_date(moment.date()) == moment.strftime("%d/%m/%Y")
