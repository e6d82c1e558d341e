"""`purge`: blank personal fields of records older than the retention period."""
from __future__ import annotations

import click
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from .personal import purge


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be blanked.")
@click.option("--days", type=click.IntRange(1), default=None,
              help="Retention in days (default: PERSONAL_DATA_RETENTION_DAYS).")
@click.option("--yes", is_flag=True, help="Do not ask before blanking (for scheduled runs).")
def purge_command(dry_run: bool, days: int | None, yes: bool):
    """Blank names, addresses, phones, points and notes of households idle beyond retention.
    It cannot be undone: it says what it would blank and asks first, unless --yes."""
    days = days or current_app.config["PERSONAL_DATA_RETENTION_DAYS"]
    if not (dry_run or yes):
        _confirm(days)
    counts = purge(days, dry_run=dry_run)
    db.session.commit()
    text = (_("Would blank the personal data of %(households)s households") if dry_run
            else _("Blanked the personal data of %(households)s households"))
    click.echo(text % {"households": counts["households"]} + " " + _(
        "(%(visits)s visits, %(incidents)s incidents; %(quarantined)s held sync entries) "
        "idle since %(cutoff)s (kept %(days)s days).", visits=counts["visits"],
        incidents=counts["incidents"], quarantined=counts["quarantined"], cutoff=counts["cutoff"], days=days))


def _confirm(days: int) -> None:
    """Ask before an irreversible purge (no answer, as from a script without --yes: abort)."""
    counts = purge(days, dry_run=True)
    db.session.rollback()
    if counts["households"] or counts["quarantined"]:
        click.confirm(_("Blank the personal data of %(households)s households idle since %(cutoff)s "
                        "(and %(quarantined)s held sync entries)? This cannot be undone.",
                        households=counts["households"], cutoff=counts["cutoff"],
                        quarantined=counts["quarantined"]), abort=True)


COMMANDS = [purge_command]
