"""`purge`: blank personal fields of records older than the retention period."""
from __future__ import annotations

import click
from flask import current_app

from ..extensions import db
from .personal import purge


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be blanked.")
@click.option("--days", type=click.IntRange(1), default=None,
              help="Retention in days (default: PERSONAL_DATA_RETENTION_DAYS).")
def purge_command(dry_run: bool, days: int | None):
    """Blank names, addresses, phones, points and notes of households idle beyond retention."""
    days = days or current_app.config["PERSONAL_DATA_RETENTION_DAYS"]
    counts = purge(days, dry_run=dry_run)
    db.session.commit()
    verb = "Sẽ xoá" if dry_run else "Đã xoá"
    click.echo(f"{verb} thông tin cá nhân của {counts['households']} hộ "
               f"({counts['visits']} lượt đến nhà, {counts['incidents']} vụ việc; "
               f"{counts['quarantined']} bản ghi đồng bộ bị giữ lại) "
               f"không có hoạt động từ {counts['cutoff']} (lưu {days} ngày).")


COMMANDS = [purge_command]
