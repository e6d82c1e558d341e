"""`flask --app fieldapp backup FILE` and `restore FILE` (see the package docstring)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from . import services


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Copy the live database to FILE (safe while the server runs)."""
    try:
        services.backup(file)
    except services.BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo(_("Backup written to %(path)s (%(size)s bytes).", path=file, size=file.stat().st_size))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load the backup FILE into the configured database, which must be empty."""
    try:
        epoch = services.restore(file)
    except services.BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo(_("Restored from %(path)s; new restore epoch %(epoch)s: phones will send again what the "
                 "backup lacks.", path=file, epoch=epoch))


COMMANDS = (backup_command, restore_command)
