"""`import-households` and `import-villages`: all or nothing, every bad row named."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa

from ..extensions import db
from . import runs, villages_import
from .models import Commune
from .readers import FileRefused
from .services import import_households, max_bytes


def _commune_id(code: str | None, *, required: bool) -> int | None:
    query = sa.select(Commune.id)
    if code:
        query = query.where(Commune.code == code)
    ids = db.session.scalars(query).all()
    if code and not ids:
        raise click.ClickException(f"Không có xã mã '{code}'.")
    if len(ids) == 1:
        return ids[0]
    if required or len(ids) > 1:
        raise click.ClickException("Chọn xã bằng --commune (mã xã)." if ids else
                                   "Chưa có xã nào: tạo xã bằng --commune MÃ --commune-name TÊN.")
    return None


def _progress(phase: str, done: int, total: int | None) -> None:
    label = "Kiểm tra" if phase == "check" else "Ghi"
    figure = f"{done:,}/{total:,}" if total else f"{done:,}"
    click.echo(f"\r{label}: {figure} dòng".replace(",", "."), nl=False, err=True)


def _print_errors(errors, count: int) -> None:
    click.echo("", err=True)
    for error in errors:
        column = f", cột {error.column}" if error.column else ""
        click.echo(f"Dòng {error.line}{column}: {error.message}", err=True)
    if count > len(errors):
        click.echo(f"… và {count - len(errors)} lỗi khác.", err=True)


@click.command("import-households")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file; write nothing.")
@click.option("--commune", "commune_code", default=None, help="Commune code (default: the only one).")
def import_households_command(file: Path, dry_run: bool, commune_code: str | None):
    """Import households from CSV, XLSX or GeoJSON points (all or nothing)."""
    commune_id = _commune_id(commune_code, required=False)
    try:
        run = runs.start("households", file.name, None)
        checked = import_households(run.id, file, commune_id=commune_id, dry_run=dry_run, echo=_progress)
    except FileRefused as exc:
        click.echo("", err=True)
        raise click.ClickException(str(exc)) from None
    if checked.error_count:
        _print_errors(checked.errors, checked.error_count)
        click.echo(f"Không nhập: {checked.error_count} lỗi trong tệp; chưa ghi gì.", err=True)
        sys.exit(1)
    summary = db.session.get(runs.ImportRun, run.id).summary
    click.echo("", err=True)
    if dry_run:
        click.echo(f"Tệp hợp lệ: {checked.rows} hộ (chỉ kiểm tra, chưa ghi).")
    else:
        click.echo(f"Đã nhập {summary['rows']} hộ: thêm mới {summary['created']}, "
                   f"cập nhật {summary['updated']}, không đổi {summary['unchanged']}.")


@click.command("import-villages")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file; write nothing.")
@click.option("--commune", "commune_code", default=None, help="Commune code (default: the only one).")
@click.option("--commune-name", default=None, help="Create the commune --commune with this name if missing.")
def import_villages_command(file: Path, dry_run: bool, commune_code: str | None, commune_name: str | None):
    """Import villages from GeoJSON polygons (code, name) or CSV code,name; updates boundaries."""
    if commune_code and commune_name and not db.session.scalar(
            sa.select(Commune).where(Commune.code == commune_code)):
        db.session.add(Commune(code=commune_code, name=commune_name))
        db.session.flush()
    commune_id = _commune_id(commune_code, required=True)
    db.session.commit()  # the commune, if just created
    try:
        run = runs.start("villages", file.name, None)
        rows, errors = villages_import.parse(file, file.name, max_bytes())
    except FileRefused as exc:
        if "run" in locals():
            runs.fail(run.id, "refused", {"message": str(exc)})
        raise click.ClickException(str(exc)) from None
    run = runs.take_write_lock(run.id)
    if errors or dry_run:
        runs.finish(run, "refused" if errors else "checked", {"rows": len(rows), "error_count": len(errors)})
        db.session.commit()
    if errors:
        _print_errors(errors, len(errors))
        click.echo(f"Không nhập: {len(errors)} lỗi trong tệp; chưa ghi gì.", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"Tệp hợp lệ: {len(rows)} thôn (chỉ kiểm tra, chưa ghi).")
        return
    summary = villages_import.apply(rows, commune_id)
    runs.finish(run, "done", {"rows": len(rows), **summary})
    db.session.commit()
    click.echo(f"Đã nhập {len(rows)} thôn: thêm mới {summary['created']}, "
               f"cập nhật {summary['updated']}, không đổi {summary['unchanged']}.")


COMMANDS = [import_households_command, import_villages_command]
