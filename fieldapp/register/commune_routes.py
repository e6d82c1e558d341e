"""Commune onboarding on the register blueprint (`manage_communes`: admins; 403 otherwise): add a commune
by its official code, then its commander and its villages. A commune id that does not exist
answers 404.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav
from ..accountability import audit
from ..auth import scoping
from ..auth.permissions import requires
from ..auth.models import User
from ..auth.services import create_user, find_user
from ..extensions import db
from . import communes, units, villages_import
from .forms import CommanderForm, CommuneForm, VillagesFileForm
from .models import Commune, Province, Village
from .readers import FileRefused, kind_of
from .services import max_bytes

bp = Blueprint("communes", __name__, url_prefix="/register/communes")
nav.add("communes.communes_page", _l("Communes"), order=60)


@bp.route("/", methods=["GET", "POST"])
@requires("manage_communes")
def communes_page():
    """The communes by province, and the form to add one by its official code (422 with the
    official list's reason for an unknown, retired or already added code). 403 unless admin."""
    form = CommuneForm()
    if form.validate_on_submit():
        commune = communes.add(form.code.data)
        db.session.commit()
        flash(_("Added %(name)s (%(code)s), %(province)s.", name=commune.name, code=commune.code,
                province=commune.province.name), "success")
        return redirect(url_for(".commune_page", commune_id=commune.id))
    rows = db.session.execute(
        sa.select(Commune, Province.name, sa.func.count(Village.id))
        .outerjoin(Province, Province.id == Commune.province_id).outerjoin(Village, Village.commune_id == Commune.id)
        .group_by(Commune.id, Province.name).order_by(Province.name, Commune.code)).all()
    return render_template("register/communes.html", form=form, rows=rows,
                           list_version=units.list_version()), 422 if form.is_submitted() else 200


def _forms():
    return CommanderForm(prefix="commander"), VillagesFileForm(prefix="villages")


def _render(commune: Commune, commander_form, villages_form, errors=(), status: int = 200):
    villages = db.session.scalars(sa.select(Village).where(Village.commune_id == commune.id)
                                  .order_by(Village.code)).all()
    commanders = db.session.scalars(sa.select(User).where(User.commune_id == commune.id,
                                                          User.role == "commander").order_by(User.username)).all()
    return render_template("register/commune.html", commune=commune, villages=villages, commanders=commanders,
                           commander_form=commander_form, villages_form=villages_form, errors=errors), status


@bp.get("/<int:commune_id>")
@requires("manage_communes")
def commune_page(commune_id: int):
    """One commune: its former codes, villages and commanders, and the forms to add them.
    403 unless admin; 404 for an unknown commune."""
    return _render(scoping.get_commune(current_user, commune_id), *_forms())


@bp.post("/<int:commune_id>/commander")
@requires("manage_communes")
def add_commander(commune_id: int):
    """Create the commune's commander (422 with the fields' messages). 403 unless admin."""
    commune = scoping.get_commune(current_user, commune_id)
    form, villages_form = _forms()
    if form.validate_on_submit():
        if find_user(form.username.data):
            form.username.errors.append(_("This username is taken."))
        else:
            user = create_user(form.username.data, form.password.data, "commander", full_name=form.full_name.data,
                               title=form.title.data, commune_id=commune.id)
            audit.record("user_create", "user", user.id, role=user.role)
            db.session.commit()
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for(".commune_page", commune_id=commune.id))
    return _render(commune, form, villages_form, status=422)


@bp.post("/<int:commune_id>/villages")
@requires("manage_communes")
def import_commune_villages(commune_id: int):
    """Import the commune's villages from a file, all or nothing: every wrong row is listed
    (422) and nothing is written. 403 unless admin."""
    commune = scoping.get_commune(current_user, commune_id)
    commander_form, form = _forms()
    if not form.validate_on_submit():
        return _render(commune, commander_form, form, status=422)
    upload = form.file.data
    with tempfile.TemporaryDirectory(prefix="villages-") as folder:
        path = Path(folder) / f"upload.{kind_of(upload.filename)}"
        upload.save(path)
        try:
            rows, errors, summary = villages_import.run(path, upload.filename, commune.id, user_id=current_user.id,
                                                        limit=max_bytes())
        except FileRefused as exc:
            form.file.errors.append(str(exc))
            return _render(commune, commander_form, form, status=422)
    if errors:
        return _render(commune, commander_form, form, errors=errors, status=422)
    audit.record("villages_import", "commune", commune.id, filename=upload.filename[:120], rows=len(rows), **summary)
    db.session.commit()
    flash(_("Imported %(rows)s villages: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
            rows=len(rows), **summary), "success")
    return redirect(url_for(".commune_page", commune_id=commune.id))
