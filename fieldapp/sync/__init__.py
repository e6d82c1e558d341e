"""Offline pack, sync batch and receipts: the server side of the offline-first client.

How it fits together:

- `pack.py` builds `GET /api/me/pack` (the caller's villages and households, merged ones
  left out, and each village's team for the offline form's companions) and a cheap
  fingerprint used as its ETag (teams included), so an unchanged pack answers 304
  without being built.
- `batch.py` checks a batch as a whole (400/413), then applies each entry in its own
  savepoint. The receipt row (entry id, canonical-JSON hash, result) is inserted first, so
  two requests racing with the same entry cannot both write: the loser fails on the
  primary key and answers `duplicate` or `id_conflict` from the winner's receipt.
- `entries.py` applies one entry with the same rules as the web forms (a visit by the rules
  VisitForm is built from, `visits.rules`, without a form per entry; a household by HouseholdForm) and the same services (`record_visit`, `add_household`), reading what a
  batch refers to in a few queries (`Lookups`). Refusals become `quarantined` with field
  errors and a `QuarantinedEntry` that commanders review at /sync/quarantine.
  Each created visit has its `visit_create` audit event: `record_visit` appends it to
  `Lookups.audit_rows`, and `apply_batch` keeps the rows of the entries that stood (an entry
  rolled back to its savepoint keeps none) and inserts them in one statement at the end.
  A visit for a household that was merged since the pack was made is recorded on the
  survivor (through every hop); the result stays `created` and the audit event's detail
  says `merged_from` (the household id the device sent).
- `client.py` gives the browser its labels; the client itself is static/sw.js (caches,
  offline shell) and static/js/{outbox,sync,pack,field}.js (IndexedDB outbox, sender,
  offline pages, page wiring). `openapi.py` documents /api/* at /api/openapi.json.
"""
