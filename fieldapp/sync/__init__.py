"""Offline pack, sync batch and receipts: the server side of the offline-first client.

How it fits together:

- `pack.py` builds `GET /api/me/pack` (the caller's villages and households) and a cheap
  fingerprint used as its ETag, so an unchanged pack answers 304 without being built.
- `batch.py` checks a batch as a whole (400/413), then applies each entry in its own
  savepoint. The receipt row (entry id, canonical-JSON hash, result) is inserted first, so
  two requests racing with the same entry cannot both write: the loser fails on the
  primary key and answers `duplicate` or `id_conflict` from the winner's receipt.
- `entries.py` applies one entry with the same rules as the web forms (VisitForm,
  HouseholdForm) and the same services (`record_visit`, `add_household`), reading what a
  batch refers to in a few queries (`Lookups`). Refusals become `quarantined` with field
  errors and a `QuarantinedEntry` that commanders review at /sync/quarantine.
- `client.py` gives the browser its labels; the client itself is static/sw.js (caches,
  offline shell) and static/js/{outbox,sync,pack,field}.js (IndexedDB outbox, sender,
  offline pages, page wiring). `openapi.py` documents /api/* at /api/openapi.json.
"""
