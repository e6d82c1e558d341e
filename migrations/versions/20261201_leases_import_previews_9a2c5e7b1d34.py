"""Leases (fieldapp.leases: locks that expire unless renewed) and the day an import run's
preview of the file (names, phones) is dropped

Revision ID: 9a2c5e7b1d34
Revises: 6d1f4a9c2e70
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "9a2c5e7b1d34"
down_revision = "6d1f4a9c2e70"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_until", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_import_runs_personal_until"), ["personal_until"], unique=False)


def downgrade():
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_personal_until"))
        batch_op.drop_column("personal_until")
    op.drop_table("leases")
