"""`import-households` and `import-villages`: all or nothing, every bad row named."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from .. import leases
from ..extensions import db
from . import runs, villages_import
from .models import Commune
from .readers import FileRefused
from .services import commune_or_only, import_households, max_bytes


def _commune_id(code: str | None, *, required: bool) -> int | None:
    commune_id = commune_or_only(code=code)
    if commune_id is not None:
        return commune_id
    if code:
        raise click.ClickException(_("No commune has the code '%(code)s'.", code=code))
    any_commune = db.session.scalar(sa.select(Commune.id).limit(1)) is not None
    if required or any_commune:
        raise click.ClickException(_("Choose the commune with --commune (its code).") if any_commune else
                                   _("No commune yet: create one with --commune CODE --commune-name NAME."))
    return None


def _progress(phase: str, done: int, total: int | None) -> None:
    label = _("Checking") if phase == "check" else _("Writing")
    figure = f"{done:,}/{total:,}" if total else f"{done:,}"
    figure = figure.replace(",", ".")
    click.echo("\r" + _("%(label)s: %(figure)s rows", label=label, figure=figure), nl=False, err=True)


def _print_errors(errors, count: int) -> None:
    click.echo("", err=True)
    for error in errors:
        if error.column:
            where = _("Row %(line)s, column %(column)s", line=error.line, column=error.column)
        else:
            where = _("Row %(line)s", line=error.line)
        click.echo(f"{where}: {error.message}", err=True)
    if count > len(errors):
        click.echo(_("… and %(num)s more errors.", num=count - len(errors)), err=True)


CRS_HELP = ("Coordinate system of a file that states none, e.g. EPSG:9210 (VN-2000 zones "
            "EPSG:9205-9218, 5896-5899, 3405, 3406; EPSG:4756; default EPSG:4326, WGS 84).")


@click.command("import-households")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file; write nothing.")
@click.option("--commune", "commune_code", default=None, help="Commune code (default: the only one).")
@click.option("--crs", default=None, help=CRS_HELP)
def import_households_command(file: Path, dry_run: bool, commune_code: str | None, crs: str | None):
    """Import households from CSV, XLSX, GeoJSON points or a zipped Shapefile of points (all or
    nothing); with --crs in a VN-2000 zone, lon is the easting and lat the northing (metres)."""
    commune_id = _commune_id(commune_code, required=False)
    try:
        run = runs.start("households", file.name, None, commune_or_only(commune_id))
        with leases.heartbeat(runs.lease_name(run.commune_id), runs.holder(run.id)):
            checked = import_households(run.id, file, commune_id=commune_id, dry_run=dry_run, echo=_progress,
                                        crs=crs)
    except FileRefused as exc:
        click.echo("", err=True)
        raise click.ClickException(str(exc)) from None
    if checked.error_count:
        _print_errors(checked.errors, checked.error_count)
        click.echo(_("Not imported: %(num)s errors in the file; nothing written.", num=checked.error_count), err=True)
        sys.exit(1)
    summary = db.session.get(runs.ImportRun, run.id).summary
    click.echo("", err=True)
    if dry_run:
        click.echo(_("The file is valid: %(num)s households (checked only, nothing written).", num=checked.rows))
    else:
        click.echo(_("Imported %(rows)s households: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
                     rows=summary["rows"], created=summary["created"], updated=summary["updated"],
                     unchanged=summary["unchanged"]))


@click.command("import-villages")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file; write nothing.")
@click.option("--commune", "commune_code", default=None, help="Commune code (default: the only one).")
@click.option("--commune-name", default=None, help="Create the commune --commune with this name if missing.")
@click.option("--crs", default=None, help=CRS_HELP)
def import_villages_command(file: Path, dry_run: bool, commune_code: str | None, commune_name: str | None,
                            crs: str | None):
    """Import villages from GeoJSON or a zipped Shapefile of polygons (code, name), in WGS 84 or
    VN-2000, or CSV code,name; updates boundaries."""
    if commune_code and commune_name and not db.session.scalar(
            sa.select(Commune).where(Commune.code == commune_code)):
        db.session.add(Commune(code=commune_code, name=commune_name))
        db.session.flush()
    commune_id = _commune_id(commune_code, required=True)
    db.session.commit()  # the commune, if just created
    try:
        rows, errors, summary = villages_import.run(file, file.name, commune_id, crs=crs, dry_run=dry_run,
                                                    limit=max_bytes())
    except FileRefused as exc:
        raise click.ClickException(str(exc)) from None
    if errors:
        _print_errors(errors, len(errors))
        click.echo(_("Not imported: %(num)s errors in the file; nothing written.", num=len(errors)), err=True)
        sys.exit(1)
    if dry_run:
        click.echo(_("The file is valid: %(num)s villages (checked only, nothing written).", num=len(rows)))
        return
    click.echo(_("Imported %(rows)s villages: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
                 rows=len(rows), created=summary["created"], updated=summary["updated"],
                 unchanged=summary["unchanged"]))


COMMANDS = [import_households_command, import_villages_command]
