"""Taking in a commitment photo: only a real image, within the size limit, for one's own
visit in one's area; stored once per visit. Refusals carry a Vietnamese reason."""
from __future__ import annotations

import hashlib
import io
import warnings

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from ..accountability import audit
from ..extensions import db
from .models import CommitmentPhoto

MAX_SIDE = 1600
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded


class Refused(Exception):
    """The photo is not taken: `code` is the HTTP status, `message` says why."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def as_jpeg(data: bytes) -> tuple[bytes, int, int]:
    """The photo as a JPEG of at most MAX_SIDE px without metadata (a phone's photo already is
    one and is kept as sent); (bytes, width, height), or Refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise Refused(422, _("The photo is too large in pixels."))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise Refused(422, _("The file is not a photo (JPEG, PNG or WebP)."))
    if image.format == "JPEG" and max(image.size) <= MAX_SIDE and not image.info.get("exif"):
        return data, image.width, image.height
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)  # drops EXIF (GPS, the phone's name)
    return out.getvalue(), image.width, image.height


def store(visit, user, data: bytes) -> tuple[CommitmentPhoto, bool]:
    """Keep the photo of `visit` sent by `user`; (photo, created). Resending the same photo
    answers the stored one (created False); another photo for the same visit is refused."""
    if visit.user_id != user.id:
        raise Refused(403, _("Only the officer who recorded this visit can send its photo."))
    if len(data) > current_app.config["PHOTO_MAX_BYTES"]:
        raise Refused(413, _("The photo is larger than %(mb)s MB; take it again.",
                             mb=round(current_app.config["PHOTO_MAX_BYTES"] / 1024 / 1024, 1)))
    if not data:
        raise Refused(422, _("The photo is empty."))
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.get(CommitmentPhoto, visit.id)
    if existing is not None:
        if existing.sha256 == digest:
            return existing, False
        raise Refused(409, _("This visit already has a photo."))
    content, width, height = as_jpeg(data)
    photo = CommitmentPhoto(visit_id=visit.id, content=content, sha256=digest, size_bytes=len(content),
                            width=width, height=height, user_id=user.id)
    db.session.add(photo)
    audit.record("photo_upload", "visit", visit.id, bytes=len(content))
    db.session.flush()
    return photo, True


def with_photos(visit_ids) -> set:
    """The ids among `visit_ids` that have a photo; one query, no image bytes read."""
    ids = list(visit_ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(CommitmentPhoto.visit_id).where(CommitmentPhoto.visit_id.in_(ids))))


def purge_of(visit_ids: sa.Select) -> None:
    """Delete the photos of these visits (the retention purge)."""
    db.session.execute(sa.delete(CommitmentPhoto).where(CommitmentPhoto.visit_id.in_(visit_ids))
                       .execution_options(synchronize_session=False))
