"""Commitment photos (ảnh bản ký cam kết): one optional photo per visit.

The phone shrinks the photo (≤ 1600 px, ≤ 250 KB JPEG), keeps it in IndexedDB beside the
visit while offline, and sends it once the visit has its receipt: `PUT /api/visits/<id>/photo`
with the JPEG as the body, one request per photo, answered `created` or `duplicate` (the
same photo again), so a resent photo is stored exactly once.

Stored in the database (`commitment_photos`, the JPEG bytes in a column), not in files
under instance/: every app server of a province reads it, the backup of the database holds
it, it is written in the same transaction as its checks and audit event, and the retention
purge deletes it with one statement.
"""
