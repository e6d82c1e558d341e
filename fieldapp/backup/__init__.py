"""Backups, restores and the restore epoch.

`flask --app fieldapp backup FILE` copies the live database (SQLite: the online backup API,
then an integrity check of the copy; PostgreSQL: `pg_dump` in custom format), and
`restore FILE` loads one into an empty database, upgrades it to the current schema and
starts a new restore epoch (`models.RestoreEpoch`). The epoch is in `/api/session` and the
offline pack: a phone that sees it change asks `/api/sync/status` which of the entries it
remembers (acknowledged in the last `SYNC_KEEP_SENT_DAYS` days) the server lacks, and sends
those again, so nothing acknowledged since the backup is lost.
"""
