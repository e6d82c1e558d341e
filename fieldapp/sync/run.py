"""One sync batch being applied: receipts claimed, entries checked, rows written in bulk.

`BatchRun.results()` does the work described in `batch.py`: first all new entries together in
one savepoint; if that fails for a reason other than a transient one, again with a savepoint
per entry, where the entry that fails is answered `retry` and the others stand.
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _

from .. import faults
from ..accountability import audit
from ..auth.models import User
from ..extensions import db
from ..proof import checks
from ..timeutil import utcnow
from ..visits.services import NewVisits, store_visits
from . import receipts, refused
from .entries import APPLY, Invalid, Lookups, as_uuid


class BatchRun:
    def __init__(self, user: User, batch_id: str, device_id: str, entries: list[dict]):
        self.user, self.batch_id, self.device_id = user, batch_id, device_id
        self.entries = entries
        self.digests = [receipts.content_hash(e) for e in entries]
        self.ids = [as_uuid(e["id"]) for e in entries]
        self.received_at = utcnow()
        self.lookups: Lookups | None = None  # read once some entry is ours to apply
        self.receipts = receipts.existing({i for i in self.ids if i})  # id → stored or in-memory receipt
        self.answers: dict[int, dict] = {}  # position → result, for the entries this run applied
        # Refused before and sent again by their user: a new attempt (see batch.py).
        self.retried = {i for i, r in self.receipts.items() if r.status == "quarantined" and r.user_id == user.id}
        for entry_id in self.retried:
            del self.receipts[entry_id]
        firsts = {}
        for position, entry_id in enumerate(self.ids):
            if entry_id is not None and entry_id not in self.receipts:
                firsts.setdefault(entry_id, position)
        self.fresh = sorted(firsts.values())  # positions of the new ids (first time in the batch)
        self._pending()

    def _pending(self) -> None:
        """Forget what was gathered and not yet written (after a store, or a rollback)."""
        if self.lookups is not None:
            self.lookups.new_visits = NewVisits()
        self.audit_rows: list[dict] = []
        self.refused: dict[uuid.UUID, tuple[dict, dict]] = {}  # id → (entry, its refusal)

    def results(self) -> list[dict]:
        try:
            with db.session.begin_nested():
                self._apply(self.fresh)
        except Exception as exc:
            self._failed(exc, self.fresh, "Sync batch failed in bulk; retrying entry by entry")
            for position in self.fresh:
                try:
                    with db.session.begin_nested():
                        self._apply([position])
                except Exception as exc:  # noqa: BLE001 — this entry only; its neighbours stand
                    self._failed(exc, [position], "Sync entry failed")
        taken = {i for p, i in enumerate(self.ids) if p not in self.answers and i and i not in self.receipts}
        self.receipts.update(receipts.existing(taken))  # by another request, while this one waited
        answers = [self._answer(p) for p in range(len(self.entries))]
        checks.after_store([self.ids[p] for p, a in sorted(self.answers.items())
                            if a["status"] == "created" and self.entries[p]["type"] == "visit"])
        for position, answer in self.answers.items():
            if answer["status"] == "created" and self.ids[position] in self.retried:
                refused.fixed(answer["id"], self.user)
        receipts.resolve_stored([a["id"] for a in answers if a["status"] in ("created", "duplicate")])
        return answers

    def _failed(self, exc: Exception, positions: list[int], message: str) -> None:
        if faults.is_transient(exc):
            raise exc
        faults.log_failure(current_app.logger, exc, message)
        self._pending()
        for position in positions:
            self.answers.pop(position, None)
            self.receipts.pop(self.ids[position], None)
            if self.lookups is not None:
                self.lookups.forget(self.ids[position])

    def _apply(self, positions: list[int]) -> None:
        rows = [receipts.row(self.user, self.batch_id, self.device_id, self.entries[p], self.ids[p],
                             self.digests[p], self.received_at) for p in positions]
        won = receipts.claim([r for r in rows if r["entry_id"] not in self.retried])
        won |= receipts.reclaim([r for r in rows if r["entry_id"] in self.retried], self.user)
        if won and self.lookups is None:  # a request that lost every race reads nothing more
            self.lookups = Lookups(self.user, [self.entries[p] for p in positions if self.ids[p] in won],
                                   self.received_at)
        for position in positions:
            if self.ids[position] in won:
                self._apply_one(position)
        self._store()

    def _apply_one(self, position: int) -> None:
        entry = self.entries[position]
        if entry["type"] == "visit" and not entry["data"].get("supersedes"):
            result = self._attempt(entry)
        else:  # may read what came before, and writes at once: undone if refused
            self._store()
            savepoint = db.session.begin_nested()
            result = self._attempt(entry)
            savepoint.rollback() if result["status"] == "quarantined" else savepoint.commit()
        entry_id = self.ids[position]
        if result["status"] == "quarantined":
            self.refused[entry_id] = (entry, result)
        self.receipts[entry_id] = SimpleNamespace(content_hash=self.digests[position], user_id=self.user.id,
                                                  status=result["status"], result=result)
        self.answers[position] = {"id": entry["id"], **result}

    def _attempt(self, entry: dict) -> dict:
        apply = APPLY.get(entry["type"])
        if apply is None:
            return {"status": "quarantined", "errors": {"type": _("Unknown entry type.")}}
        gathered, self.lookups.audit_rows = self.lookups.new_visits.mark(), []
        try:  # entries are checked before anything is written, so a refusal leaves nothing behind
            apply(as_uuid(entry["id"]), entry, self.lookups, self.device_id)
        except Invalid as exc:
            self.lookups.new_visits.rewind(gathered)
            return {"status": "quarantined", "errors": exc.errors}
        self.audit_rows += self.lookups.audit_rows
        return {"status": "created"}

    def _store(self) -> None:
        """Write what the entries so far gathered: visits, audit events, refusals."""
        if self.lookups is not None:
            store_visits(self.lookups.new_visits)
        audit.insert_rows(self.audit_rows)
        if self.refused:
            receipts.mark_quarantined({i: result for i, (_entry, result) in self.refused.items()})
            for entry, result in self.refused.values():
                refused.keep(self.user, self.device_id, entry, result["errors"], receipts.content_hash)
        self._pending()

    def _answer(self, position: int) -> dict:
        entry, entry_id = self.entries[position], self.ids[position]
        if position in self.answers:
            return self.answers[position]
        if entry_id is None:
            return receipts.quarantine(self.user, self.device_id, entry, {"id": _("The entry id is not a UUID.")})
        receipt = self.receipts.get(entry_id)
        if receipt is None:  # its first copy in this batch failed: no receipt, send again
            return {"id": entry["id"], "status": "retry",
                    "errors": {"server": _("The server could not store this entry now; it will be sent again.")}}
        return receipts.answer(self.user, self.device_id, entry, receipt, self.digests[position])
