"""Jobs of this feature: building an export somebody asked for, and the hourly upkeep that
deletes downloads (and their files, which may hold names) after EXPORT_KEEP_HOURS."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..jobs.services import task
from . import services
from .models import Download


@task("export", max_attempts=2)
def build_export(run, download_id: int, ip: str = "", language: str = "") -> None:
    """Build the download's file (again, should an earlier attempt have died). A download
    gone (swept) or built already is left alone; one its user may no longer have fails with
    a message and is not tried again."""
    download = db.session.get(Download, download_id)
    built = download is None or download.file_id is not None
    db.session.rollback()  # the build reads and writes in a session of its own
    if built:
        return
    try:
        services.build(download_id, run, ip, language)
    except services.Refused as refused:
        db.session.rollback()
        db.session.execute(sa.update(Download).where(Download.id == download_id).values(
            error=_("This export cannot be made for you: %(reason)s", reason=str(refused))))
    db.session.commit()


@task("downloads_upkeep", every=timedelta(hours=1))
def upkeep(run) -> None:
    run.progress(deleted=services.sweep())
    db.session.commit()
