"""The sync batch: whole-batch checks, then each entry in its own savepoint with a receipt.

A receipt (keyed by the entry id, with a hash of the entry's canonical JSON) makes a
resent entry answer `duplicate` (same content) or `id_conflict` (different content)
without writing anything. Two requests racing with the same entry both insert the
receipt; the loser's savepoint fails on the primary key and it answers from the winner's.
A refused entry wrote nothing, so the same user sending its id again (fixed on the phone, or
after what it pointed to arrived) is a new attempt; the review list keeps it once (`refused`).
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..accountability import audit
from ..auth.models import User
from ..extensions import db
from ..proof import checks
from ..timeutil import utcnow
from . import refused
from .entries import APPLY, Invalid, Lookups, as_uuid
from .models import SyncReceipt

RECEIPTS = SyncReceipt.__table__
MAX_ENTRIES = 200
MAX_BYTES = 1_000_000


class BadBatch(Exception):
    """The batch as a whole is refused: `code` is 400 or 413."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def check_shape(body) -> tuple[str, str, list[dict]]:
    """(batch_id, device_id, entries) of a well-formed batch, else BadBatch."""
    if not isinstance(body, dict):
        raise BadBatch(400, _("The batch must be a JSON object."))
    entries = body.get("entries")
    device_id = body.get("device_id")
    if not isinstance(entries, list):
        raise BadBatch(400, _("The batch needs a list of entries."))
    if len(entries) > MAX_ENTRIES:
        raise BadBatch(413, _("At most %(n)d entries per batch.", n=MAX_ENTRIES))
    if not isinstance(device_id, str) or not 0 < len(device_id) <= 80:
        raise BadBatch(400, _("The batch needs a device id (1 to 80 characters)."))
    batch_id = body.get("batch_id")
    if batch_id is not None and not (isinstance(batch_id, str) and len(batch_id) <= 40):
        raise BadBatch(400, _("The batch id must be text of at most 40 characters."))
    for position, entry in enumerate(entries, 1):
        if not _entry_shape_ok(entry):
            raise BadBatch(400, _("Entry %(n)d is malformed: it needs an id, a type, a "
                                  "sequence number and a data object.", n=position))
    return batch_id or "", device_id, entries


def _entry_shape_ok(entry) -> bool:
    return (
        isinstance(entry, dict) and isinstance(entry.get("id"), str) and len(entry["id"]) <= 80
        and isinstance(entry.get("type"), str) and isinstance(entry.get("data"), dict)
        and (entry.get("seq") is None
             or (isinstance(entry["seq"], int) and not isinstance(entry["seq"], bool)
                 and 0 <= entry["seq"] < 2**31))
    )


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


def content_hash(entry: dict) -> str:
    """SHA-256 of the entry's meaning: type, device time and data, as canonical JSON (of an
    entry `apply_batch` already normalised to NFC)."""
    content = {"type": entry["type"], "recorded_at": entry.get("recorded_at"), "data": entry["data"]}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def apply_batch(user: User, batch_id: str, device_id: str, entries: list[dict]) -> list[dict]:
    """One result per entry, in order; flushes, never commits."""
    entries = [_nfc(entry) for entry in entries]
    lookups = Lookups(user, entries)
    ids = {as_uuid(e["id"]) for e in entries} - {None}
    receipts = {r.entry_id: r for r in db.session.scalars(
        sa.select(SyncReceipt).where(SyncReceipt.entry_id.in_(ids)))} if ids else {}
    kept: list[dict] = []  # audit events of the entries that stood, inserted together
    results = []
    for entry in entries:
        lookups.audit_rows = []
        result = _apply_one(lookups, receipts, batch_id, device_id, entry)
        if result["status"] == "created":
            kept.extend(lookups.audit_rows)
        results.append(result)
    audit.insert_rows(kept)
    checks.after_store([as_uuid(e["id"]) for e, r in zip(entries, results)
                        if e["type"] == "visit" and r["status"] == "created"])
    return results


def _apply_one(lookups: Lookups, receipts: dict, batch_id: str, device_id: str, entry: dict) -> dict:
    user = lookups.user
    entry_id = as_uuid(entry["id"])
    if entry_id is None:
        return _quarantine(user, device_id, entry, {"id": _("The entry id is not a UUID.")})
    digest = content_hash(entry)
    receipt = receipts.get(entry_id)
    retry = receipt is not None and receipt.status == "quarantined" and receipt.user_id == user.id
    if receipt is not None and not retry:
        return _answer_existing(user, device_id, entry, receipt, digest)
    row = dict(entry_id=entry_id, entry_type=entry["type"][:20], content_hash=digest, status="created",
               result={"status": "created"}, user_id=user.id, device_id=device_id, seq=entry.get("seq"),
               batch_id=batch_id, received_at=utcnow())
    receipt = SimpleNamespace(**row)
    try:
        with db.session.begin_nested():
            # The receipt goes in first, in one plain INSERT: a concurrent twin fails here. A
            # refused entry sent again (fixed on the phone, or not) is a new attempt under its id.
            if retry:
                db.session.connection().execute(RECEIPTS.update().where(RECEIPTS.c.entry_id == entry_id).values(row))
            else:
                db.session.connection().execute(RECEIPTS.insert(), row)
            receipts[entry_id] = receipt
            result = _attempt(lookups, entry_id, entry, device_id)
            if result["status"] == "quarantined":
                receipt.status, receipt.result = "quarantined", result
                db.session.connection().execute(
                    RECEIPTS.update().where(RECEIPTS.c.entry_id == entry_id).values(status="quarantined", result=result))
                refused.keep(user, device_id, entry, result["errors"], content_hash)
            elif retry:
                refused.fixed(entry["id"], user)
            db.session.flush()
    except IntegrityError:
        # A concurrent request stored this entry first: answer from its receipt.
        receipt = db.session.scalar(sa.select(SyncReceipt).where(SyncReceipt.entry_id == entry_id)
                                    .execution_options(populate_existing=True))
        if receipt is None:  # some other constraint: keep the entry for review, retry later
            receipts.pop(entry_id, None)
            return _quarantine(user, device_id, entry, {"server": _("The server could not apply this entry.")})
        receipts[entry_id] = receipt
        return _answer_existing(user, device_id, entry, receipt, digest)
    except Exception:  # a bug in one entry must not fail its neighbours; no receipt, so it may retry
        receipts.pop(entry_id, None)
        current_app.logger.exception("Sync entry %s failed", entry_id)
        return _quarantine(user, device_id, entry, {"server": _("The server could not apply this entry.")})
    return {"id": entry["id"], **result}


def _attempt(lookups: Lookups, entry_id: uuid.UUID, entry: dict, device_id: str) -> dict:
    apply = APPLY.get(entry["type"])
    if apply is None:
        return {"status": "quarantined", "errors": {"type": _("Unknown entry type.")}}
    try:  # entries are checked before anything is written, so a refusal leaves nothing behind
        apply(entry_id, entry, lookups, device_id)
    except Invalid as exc:
        return {"status": "quarantined", "errors": exc.errors}
    return {"status": "created"}


def _answer_existing(user, device_id, entry, receipt: SyncReceipt, digest: str) -> dict:
    if receipt.content_hash != digest or receipt.user_id != user.id:
        errors = {"id": _("This id was already used for a different entry; the first one is kept.")}
        _quarantine(user, device_id, entry, errors)
        return {"id": entry["id"], "status": "id_conflict", "errors": errors}
    if receipt.status == "created":
        return {"id": entry["id"], "status": "duplicate"}
    return {"id": entry["id"], **receipt.result}


def _quarantine(user, device_id, entry, errors) -> dict:
    """Keep the raw entry for review, once (see `refused.keep`)."""
    with db.session.begin_nested():
        refused.keep(user, device_id, entry, errors, content_hash)
    return {"id": entry["id"], "status": "quarantined", "errors": errors}


def statuses(user: User, ids: list[str]) -> list[dict]:
    """What the server holds for each of the caller's entry ids: created, quarantined or unknown."""
    keys = {raw: as_uuid(raw) for raw in ids}
    found = dict(db.session.execute(
        sa.select(SyncReceipt.entry_id, SyncReceipt.status)
        .where(SyncReceipt.entry_id.in_([k for k in keys.values() if k]), SyncReceipt.user_id == user.id)
    ).all())
    return [{"id": raw, "status": found.get(key, "unknown")} for raw, key in keys.items()]
