"""Files that jobs read, kept in the database (`StoredFile`): stored by the server that took
the upload, read by whichever worker runs the job, deleted when done or after a while."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from ..extensions import db
from .models import StoredFile


def store(name: str, data: bytes) -> StoredFile:
    """Add the file to the session (flushed, not committed)."""
    stored = StoredFile(name=name[:255], size=len(data), data=data)
    db.session.add(stored)
    db.session.flush()
    return stored


def exists(file_id: int | None) -> bool:
    return file_id is not None and db.session.scalar(
        sa.select(sa.func.count()).where(StoredFile.id == file_id)) == 1


@contextmanager
def materialized(file_id: int, suffix: str = "") -> Iterator[Path]:
    """The stored file as a temporary file on this machine, for readers that want a path."""
    data = db.session.scalar(sa.select(StoredFile.data).where(StoredFile.id == file_id))
    if data is None:
        raise FileNotFoundError(f"stored file {file_id} is gone")
    with tempfile.TemporaryDirectory(prefix="fieldapp-job-") as folder:
        path = Path(folder) / f"file{suffix}"
        path.write_bytes(data)
        yield path


def delete(file_id: int | None) -> None:
    db.session.execute(sa.delete(StoredFile).where(StoredFile.id == file_id))


def sweep(before: datetime, keep: sa.Select | None = None) -> int:
    """Delete files stored before `before`, except the ids `keep` selects; how many went."""
    query = sa.delete(StoredFile).where(StoredFile.created_at < before)
    if keep is not None:
        query = query.where(StoredFile.id.not_in(keep))
    return db.session.execute(query).rowcount
