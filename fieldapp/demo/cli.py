"""`seed-demo`: the An Phú demo commune."""
from __future__ import annotations

import click
from flask_babel import gettext as _

from ..extensions import db, refresh_statistics
from .seed import is_empty, seed_demo


@click.command("seed-demo")
@click.option("--households", default=200, show_default=True, help="Households per village (about).")
@click.option("--villages", default=31, show_default=True, help="Number of villages.")
@click.option("--seed", default=2025, show_default=True, help="Random seed (same seed, same demo).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
def seed_demo_command(households, villages, seed, if_empty):
    """Fill an empty database with the An Phú demo (accounts use password demo1234)."""
    if not is_empty():
        if if_empty:
            click.echo(_("The database already holds data; the demo was not loaded."))
            return
        raise click.ClickException(_("The database already holds data; the demo loads only into an empty one."))
    counts = seed_demo(households=households, villages=villages, seed=seed)
    refresh_statistics()
    db.session.commit()
    click.echo(_("Demo loaded: %(villages)s villages, %(households)s households, %(users)s accounts, "
                 "%(visits)s visits.", **counts))


COMMANDS = [seed_demo_command]
