"""Jobs of this feature: the hourly upkeep that forgets failed sign-ins no limit counts any more."""
from __future__ import annotations

from datetime import timedelta

from ..extensions import db
from ..jobs.services import task
from . import throttle


@task("auth_upkeep", every=timedelta(hours=1))
def upkeep(run) -> None:
    run.progress(deleted=throttle.sweep())
    db.session.commit()
