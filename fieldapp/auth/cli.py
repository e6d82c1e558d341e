"""`create-user` and `assign` commands."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from ..accountability import audit
from ..extensions import db
from ..labels import ROLES
from ..register.models import Village
from ..register.services import commune_or_only
from ..timeutil import today_vn
from . import passwords
from .services import assign, create_user, find_user


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "full_name", default="", help="Full name (họ và tên).")
@click.option("--commune", "commune_code", default=None, help="Commune code (default: the only one).")
@click.password_option()
def create_user_command(username, role, full_name, commune_code, password):
    """Create a user with a role."""
    if find_user(username):
        raise click.ClickException(_("The username '%(name)s' is already taken.", name=username))
    if (weak := passwords.problem(password, username)) is not None:
        raise click.ClickException(_("Password refused: %(reason)s", reason=weak))
    commune_id = commune_or_only(code=commune_code)
    if role != "admin" and commune_id is None:
        raise click.ClickException(_("Choose the commune with --commune (its code)."))
    user = create_user(username, password, role, full_name=full_name, commune_id=commune_id)
    audit.record("user_create", "user", user.id, role=user.role)
    db.session.commit()
    click.echo(_("Created %(user)s (%(role)s).", user=user.username, role=user.role))


@click.command("assign")
@click.argument("username")
@click.argument("village_code")
@click.option("--from", "starts_on", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]), default=None,
              help="First day (YYYY-MM-DD or dd/mm/yyyy; default today).")
@click.option("--to", "ends_on", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]), default=None,
              help="Last day, inclusive (default open).")
def assign_command(username, village_code, starts_on, ends_on):
    """Assign USERNAME to the village VILLAGE_CODE from a date (history is kept)."""
    user = find_user(username)
    if user is None:
        raise click.ClickException(_("No user '%(name)s'.", name=username))
    query = sa.select(Village).where(Village.code == village_code)
    if user.commune_id:
        query = query.where(Village.commune_id == user.commune_id)
    village = db.session.scalar(query)
    if village is None:
        raise click.ClickException(_("No village has the code '%(code)s'.", code=village_code))
    start = starts_on.date() if starts_on else today_vn()
    end = ends_on.date() if ends_on else None
    if end and end < start:
        raise click.ClickException(_("The last day is before the first day."))
    try:
        assign(user, village, start, end)
    except ValueError as exc:
        raise click.ClickException(_("Could not assign: %(reason)s", reason=exc)) from exc
    db.session.commit()
    click.echo(_("Assigned %(village)s to %(user)s from %(day)s.", village=village.code, user=user.username,
                 day=f"{start:%d/%m/%Y}"))


COMMANDS = [create_user_command, assign_command]
