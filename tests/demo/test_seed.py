"""The demo commune as the design describes it, deterministic from its seed."""
from __future__ import annotations

import collections

import sqlalchemy as sa
from flask_migrate import upgrade

from fieldapp import create_app
from fieldapp.extensions import db
from fieldapp.households.queries import likely_duplicates
from fieldapp.models import Assignment, Household, HouseholdMember, User, Village, Visit
from tests.conftest import _config


def _full_demo(tmp_path, name):
    app = create_app(_config(f"sqlite:///{tmp_path / name}"))
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        yield app
        db.session.remove()
        db.engine.dispose()


def test_full_demo_matches_the_design(tmp_path):
    for app in _full_demo(tmp_path, "demo.sqlite3"):
        s = db.session
        codes = s.scalars(sa.select(Village.code).order_by(Village.code)).all()
        assert codes == [f"T{i:02d}" for i in range(1, 32)]
        per_village = collections.Counter(s.scalars(sa.select(Household.village_id)))
        assert all(170 <= n <= 230 for n in per_village.values())
        assert 5800 <= sum(per_village.values()) <= 6600
        roles = collections.Counter(s.scalars(sa.select(User.role)))
        assert roles == {"admin": 1, "commander": 1, "officer": 6 + 31, "village_head": 31}
        cskv1 = s.scalar(sa.select(User).where(User.username == "cskv1"))
        mine = s.scalars(sa.select(Village.code).join(Assignment).where(Assignment.user_id == cskv1.id)
                         .order_by(Village.code)).all()
        assert mine == ["T01", "T02", "T03", "T04", "T05"]
        warned = s.scalar(sa.select(sa.func.count(sa.distinct(Visit.household_id)))
                          .where(Visit.outcome == "warned"))
        assert 0.28 <= warned / sum(per_village.values()) <= 0.42
        assert s.scalar(sa.select(sa.func.count()).where(Visit.outcome == "nobody_home")) > 300
        points = s.execute(sa.select(Household.lat, Household.lon)).all()
        assert all(abs(lat - 15.1) < 0.08 and abs(lon - 108.8) < 0.08 for lat, lon in points)
        assert s.scalar(sa.select(sa.func.count()).where(Household.phone.is_not(None))) > 2000
        pairs = likely_duplicates(sa.true(), limit=100_000)
        assert 20 <= len(pairs) <= 80, len(pairs)  # a few dozen, as in a real register
        youths = s.scalar(sa.select(sa.func.sum(Household.youth)))
        assert s.scalar(sa.select(sa.func.count()).select_from(HouseholdMember)) == youths
        officers = s.scalars(sa.select(User).where(User.role == "officer")).all()
        assert all(u.phone and len(u.phone) == 10 for u in officers)
        again = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
        assert again.exit_code == 0 and "bỏ qua" in again.output


def test_demo_is_deterministic(tmp_path):
    names = []
    for name in ("a.sqlite3", "b.sqlite3"):
        for _app in _full_demo(tmp_path, name):
            names.append(db.session.scalars(sa.select(Household.head_name).order_by(Household.id)).all())
    assert names[0] == names[1]


def test_bigger_villages_on_request(tmp_path):
    app = create_app(_config(f"sqlite:///{tmp_path / 'big.sqlite3'}"))
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed-demo", "--households", "400", "--villages", "3"])
        assert result.exit_code == 0, result.output
        counts = collections.Counter(db.session.scalars(sa.select(Household.village_id)))
        assert len(counts) == 3 and all(350 <= n <= 450 for n in counts.values())
        db.session.remove()
        db.engine.dispose()
