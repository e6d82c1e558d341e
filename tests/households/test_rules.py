"""A household's field rules are stated once (`households.rules`): the form, the register
import and the API schema give the same answers and the same reasons."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from fieldapp import create_app
from fieldapp.households import rules
from fieldapp.households.forms import HouseholdForm
from fieldapp.register.validate import HouseholdRows
from fieldapp.sync.openapi import document

GOOD = {"code": "12", "head_name": "Nguyễn Văn An", "address": "Số 12, ngõ 3", "phone": "0912345678",
        "members": "4", "youth": "1", "lat": "15.12", "lon": "108.8"}
@pytest.fixture(scope="module")
def app():
    """No database: these are the rules alone."""
    return create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


BAD = [  # (field the reason is given on, values changed)
    ("head_name", {"head_name": "Lê Văn 2"}),
    ("head_name", {"head_name": "A"}),
    ("code", {"code": "x" * 41}),
    ("address", {"address": "y" * 256}),
    ("phone", {"phone": "12345"}),
    ("members", {"members": "100"}),
    ("youth", {"youth": "5"}),
    ("lat", {"lat": "48.8", "lon": "2.3"}),
    ("lat", {"lat": "108.8", "lon": "15.12"}),
]


def form_reasons(values: dict) -> dict[str, list[str]]:
    form = HouseholdForm(formdata=MultiDict(values), meta={"csrf": False})
    form.validate()
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def import_reasons(values: dict) -> dict[str, list[str]]:
    _clean, errors = HouseholdRows({"T01": 1}).check(2, {"village_code": "T01", **values})
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(error.column, []).append(error.message)
    return found


@pytest.mark.parametrize("field, change", BAD)
def test_form_and_import_refuse_alike(app, field, change):
    with app.test_request_context():
        by_form, by_import = form_reasons({**GOOD, **change}), import_reasons({**GOOD, **change})
    assert by_form == by_import and list(by_form) == [field], (by_form, by_import)


def test_both_take_a_good_household(app):
    with app.test_request_context():
        assert form_reasons(GOOD) == import_reasons(GOOD) == {}


def test_the_api_schema_states_the_same_bounds(app):
    with app.test_request_context():
        schema = document()["components"]["schemas"]["Entry"]["properties"]["data"]["oneOf"][1]
    props = schema["properties"]
    assert (props["code"]["maxLength"], props["address"]["maxLength"]) == (rules.CODE_MAX, rules.ADDRESS_MAX)
    assert (props["head_name"]["minLength"], props["head_name"]["maxLength"]) == (rules.NAME_MIN, rules.NAME_MAX)
    assert (props["members"]["minimum"], props["members"]["maximum"]) == rules.MEMBERS
    assert (props["youth"]["minimum"], props["youth"]["maximum"]) == rules.YOUTH
