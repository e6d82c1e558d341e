"""`rebuild-summaries`: recount the coverage summary rows from households and visits."""
from __future__ import annotations

import click
from flask_babel import gettext as _

from ..extensions import db
from . import rollups


@click.command("rebuild-summaries")
def rebuild_summaries_command():
    """Recount every coverage summary from scratch (after loading data with plain SQL)."""
    rollups.rebuild()
    db.session.commit()
    click.echo(_("Coverage summaries recounted."))


COMMANDS = [rebuild_summaries_command]
