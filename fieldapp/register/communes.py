"""Communes as official units: adding one by its code, and following the official list when
a commune is renamed (new code) or merged into another. Nothing is lost on the way: the old
code and name stay in `CommuneHistory`, villages, households and visits keep their rows.
Every function flushes and records its audit event; the caller commits.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accountability import audit
from ..auth.models import User
from ..extensions import db
from ..timeutil import today_vn
from . import units
from .models import Commune, CommuneHistory, Province, Village
from .units import UnitRefused


def find(code: str) -> Commune | None:
    """The commune that holds `code` now (retired ones included)."""
    return db.session.scalar(sa.select(Commune).where(Commune.code == (code or "").strip()))


def province_row(official: units.OfficialProvince) -> Province:
    """The province's row, made from the official list the first time it is needed."""
    row = db.session.scalar(sa.select(Province).where(Province.code == official.code))
    if row is None:
        row = Province(code=official.code, name=official.name)
        db.session.add(row)
        db.session.flush()
    return row


def refuse_known(code: str) -> None:
    """UnitRefused when the code is already here: a commune holds it, or held it until it was
    renamed or merged (history)."""
    held = find(code)
    if held is not None and held.retired:
        survivor = db.session.get(Commune, held.merged_into_id)
        raise UnitRefused(_("Code %(code)s was retired on %(day)s: the commune was merged into %(name)s "
                            "(%(new)s).", code=code, day=f"{held.retired_on:%d/%m/%Y}", name=survivor.name,
                            new=survivor.code))
    if held is not None:
        raise UnitRefused(_("The commune %(code)s (%(name)s) is already here.", code=code, name=held.name))
    former = db.session.scalar(sa.select(CommuneHistory).where(CommuneHistory.code == code)
                               .order_by(CommuneHistory.ended_on.desc()).limit(1))
    if former is not None:
        raise UnitRefused(_("Code %(code)s was retired on %(day)s: the commune is now %(name)s (%(new)s).",
                            code=code, day=f"{former.ended_on:%d/%m/%Y}", name=former.commune.name,
                            new=former.commune.code))


def add(code: str) -> Commune:
    """A new commune with the official name and province of `code`; UnitRefused for a code
    that is not official, or already here (or retired here)."""
    official = units.commune(code)
    refuse_known(official.code)
    commune = Commune(code=official.code, name=official.name, province=province_row(official.province))
    db.session.add(commune)
    db.session.flush()
    audit.record("commune_add", "commune", commune.id, code=commune.code)
    return commune


def rename(commune: Commune, new_code: str) -> Commune:
    """The commune takes the official code and name `new_code` gives; its old ones go to the
    history. Villages, households and visits are untouched."""
    official = units.commune(new_code)
    if official.code != commune.code:
        refuse_known(official.code)
    _remember(commune, commune, "renamed")
    old = commune.code
    commune.code, commune.name = official.code, official.name
    commune.province = province_row(official.province)
    db.session.flush()
    audit.record("commune_rename", "commune", commune.id, code=official.code, old_code=old)
    return commune


def merge(absorbed: Commune, survivor: Commune) -> int:
    """Move everything of `absorbed` into `survivor` (villages, people, campaigns) and retire
    it; its code and name join the survivor's history. A village code the survivor already
    uses gets the absorbed commune's code in front ("21034-T01"). Returns villages moved."""
    from ..campaigns.models import Campaign

    if absorbed.id == survivor.id or absorbed.retired or survivor.retired:
        raise UnitRefused(_("A commune can only be merged into another commune still in use."))
    taken = set(db.session.scalars(sa.select(Village.code).where(Village.commune_id == survivor.id)))
    moved = list(absorbed.villages)
    for village in moved:
        if village.code in taken:
            village.code = f"{absorbed.code}-{village.code}"[:20]
        village.commune_id = survivor.id
    for model in (User, Campaign):
        db.session.execute(sa.update(model).where(model.commune_id == absorbed.id)
                           .values(commune_id=survivor.id).execution_options(synchronize_session="fetch"))
    _remember(survivor, absorbed, "merged")
    absorbed.merged_into_id, absorbed.retired_on = survivor.id, today_vn()
    db.session.flush()
    audit.record("commune_merge", "commune", absorbed.id, code=absorbed.code, into=survivor.code,
                 villages=len(moved))
    return len(moved)


def _remember(holder: Commune, unit: Commune, change: str) -> None:
    db.session.add(CommuneHistory(commune_id=holder.id, code=unit.code, name=unit.name, change=change,
                                  ended_on=today_vn()))


def of_province(province_id: int) -> sa.Select:
    """The communes in use in a province, by code."""
    return (sa.select(Commune).where(Commune.province_id == province_id, Commune.merged_into_id.is_(None))
            .order_by(Commune.code))
