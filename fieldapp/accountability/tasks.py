"""Jobs of this feature: the daily retention purge of personal data."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..jobs.services import task
from .personal import purge


@task("purge", every=timedelta(days=1), max_attempts=2)
def purge_personal_data(run) -> None:
    """Blank personal fields idle beyond PERSONAL_DATA_RETENTION_DAYS (as `flask purge`), daily."""
    counts = purge(current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    run.progress(**counts)
