"""Sync faults: receipts keep the device clock's skew; restore epochs; false quarantines resolved

- `sync_receipts.skew_s`: device time minus receipt time, in seconds, for every entry.
- `restore_epochs`: a new epoch each time the database is restored from a backup (phones
  then resend what the server lacks); the first one is created here.
- Data fix: entries quarantined with only a server error ("Máy chủ không ghi được mục này.",
  a deadlock or a race answered as a refusal) whose id the server does hold were never
  refused: they are marked resolved, resolution "stored".

Revision ID: 26bf53a49881
Revises: c5e83a1f7b62
Create Date: 2026-12-01
"""
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "26bf53a49881"
down_revision = "c5e83a1f7b62"
branch_labels = None
depends_on = None

quarantined = sa.table("quarantined_entries", sa.column("id", sa.Integer), sa.column("entry_id", sa.String),
                       sa.column("errors", sa.JSON), sa.column("resolved_at", sa.DateTime),
                       sa.column("resolution", sa.String))
STORED_IN = [sa.table("sync_receipts", sa.column("entry_id", sa.Uuid), sa.column("status", sa.String)),
             sa.table("visits", sa.column("id", sa.Uuid)), sa.table("households", sa.column("id", sa.Uuid))]


def upgrade():
    with op.batch_alter_table("sync_receipts") as batch_op:
        batch_op.add_column(sa.Column("skew_s", sa.BigInteger(), nullable=True))
    epochs = op.create_table(
        "restore_epochs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restore_epochs")),
        sa.UniqueConstraint("value", name=op.f("uq_restore_epochs_value")),
    )
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(epochs, [{"value": uuid.uuid4().hex, "started_at": now, "note": "created"}])
    _resolve_false_quarantines(now)


def _resolve_false_quarantines(now):
    conn = op.get_bind()
    rows = conn.execute(sa.select(quarantined.c.id, quarantined.c.entry_id, quarantined.c.errors)
                        .where(quarantined.c.resolved_at.is_(None))).all()
    suspects = {}
    for row_id, entry_id, errors in rows:
        try:
            key = uuid.UUID(str(entry_id))
        except ValueError:
            continue
        if isinstance(errors, dict) and set(errors) == {"server"}:
            suspects.setdefault(key, []).append(row_id)
    stored = set()
    keys = list(suspects)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        receipts, visits, households = STORED_IN
        stored |= set(conn.scalars(sa.select(receipts.c.entry_id).where(
            receipts.c.entry_id.in_(chunk), receipts.c.status == "created")))
        stored |= set(conn.scalars(sa.select(visits.c.id).where(visits.c.id.in_(chunk))))
        stored |= set(conn.scalars(sa.select(households.c.id).where(households.c.id.in_(chunk))))
    ids = sorted(row_id for key in stored for row_id in suspects[key])
    for start in range(0, len(ids), 500):
        conn.execute(quarantined.update().where(quarantined.c.id.in_(ids[start:start + 500]))
                     .values(resolved_at=now, resolution="stored"))


def downgrade():
    op.drop_table("restore_epochs")
    with op.batch_alter_table("sync_receipts") as batch_op:
        batch_op.drop_column("skew_s")
