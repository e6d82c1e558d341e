"""The sync path's plain visit check (`visits.rules.check`) answers exactly what the web's
VisitForm answers, built from the same rules: the same values and the same Vietnamese
messages, field by field, over many valid and invalid inputs (WTForms' quirks included)."""
from __future__ import annotations

import itertools
import random
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from fieldapp.sync.entries import form_data, form_errors, posted, VISIT_FIELDS
from fieldapp.visits import rules
from fieldapp.visits.forms import VisitForm

TOPICS = [SimpleNamespace(code=c, label=lambda locale, c=c: c.upper()) for c in ("tu_co_lap", "lua_dao")]
TEAM = [SimpleNamespace(username=u, display_name=u.title()) for u in ("cskv2", "dan1")]
CHOICES = ({t.code for t in TOPICS}, {u.username for u in TEAM})

# Values a phone (or a broken client) might send, JSON as received.
SAMPLES = {
    "outcome": [None, "", " ", "warned", "nobody_home", "refused", "moved_away", "WARNED", 3, True, ["warned", "x"]],
    "topics": [None, [], ["tu_co_lap"], ["lua_dao", "tu_co_lap"], ["x"], ["tu_co_lap", "y", "z"], "tu_co_lap", [1]],
    "materials": [None, [], ["leaflet"], ["nope"], "leaflet", [True]],
    "people_reached": [None, 0, 1, 50, 51, -1, "3", " 4 ", "", "  ", "x", 2.5, True, "1_0", "٣", "9" * 5000],
    "youth_reached": [None, 0, 1, 2, 30, 31, -2, "", " ", "y", 1.0, False, "5"],
    "commitment_signed": [None, True, False, "false", "", "no", 0, 1, "y"],
    "companions": [None, [], ["cskv2"], ["cskv2", "dan1"], ["ghost"], "dan1"],
    "note": [None, "", "   ", "ghi chú", "a\x00b", "\x00", "x" * 1000, "x" * 1001, " " + "y" * 1000 + " ", 7],
    "lat": [None, 15.1, "15.1", 95, -91, "", " ", "abc", "nan", "inf", 0, True],
    "lon": [None, 108.8, 181, "", "abc", "nan", -180, 5],
    "accuracy_m": [None, 0, 12, -1, 100000, 100001, "", "abc", "nan", "inf", "1e3"],
}


def _form_answer(data: dict):
    form = VisitForm(formdata=None, meta={"csrf": False}, campaign=SimpleNamespace(topics=TOPICS), team=TEAM)
    form.process(formdata=form_data(data, VISIT_FIELDS))
    return (form.clean(), {}) if form.validate() else (None, form_errors(form))


def _plain_answer(data: dict):
    values, errors = rules.check(posted(data, VISIT_FIELDS), *CHOICES)
    return (None, errors) if errors else (values, {})


def _comparable(answer):
    """NaN is no equal of itself: compare it by name."""
    values, errors = answer
    return {k: "nan" if v != v else v for k, v in (values or {}).items()}, errors


def _cases(n: int):
    rng = random.Random(17)
    yield {}
    for name, values in SAMPLES.items():  # every sample of every field, the others valid
        for value in values:
            yield {**_valid(), name: value}
    for _ in range(n):  # and random mixes
        yield {name: rng.choice(values) for name, values in SAMPLES.items() if rng.random() < 0.8}


def _valid() -> dict:
    return {"outcome": "warned", "topics": ["tu_co_lap"], "materials": ["leaflet"], "people_reached": 2,
            "youth_reached": 1, "companions": ["cskv2"], "note": "", "lat": 15.1, "lon": 108.8, "accuracy_m": 10}


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_plain_check_answers_what_the_form_answers(sqlite_app, locale):
    compared = refused = 0
    with sqlite_app.test_request_context(headers={"Accept-Language": locale}):
        from flask_babel import refresh

        refresh()
        for data in _cases(1200):
            assert _comparable(_plain_answer(data)) == _comparable(_form_answer(data)), data
            compared += 1
            refused += bool(_form_answer(data)[1])
    assert compared > 1200 and 300 < refused < compared  # both answers were exercised


def test_vietnamese_messages_name_the_reason(sqlite_app):
    with sqlite_app.test_request_context():
        _values, errors = rules.check(posted({"outcome": "warned", "people_reached": 60, "youth_reached": 70,
                                              "lat": 15.0}, VISIT_FIELDS), *CHOICES)
    assert errors == {"topics": "Đánh dấu ít nhất một nội dung khi đã cảnh báo.",
                      "people_reached": "Nhập số từ 0 đến 50.",
                      "youth_reached": "Nhập số từ 0 đến 30. Số thanh thiếu niên không được lớn hơn số người được tuyên truyền.",
                      "lat": "Vĩ độ và kinh độ phải có cả hai."}
