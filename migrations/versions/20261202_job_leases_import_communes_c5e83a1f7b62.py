"""One lease mechanism: a job's lease is a row of `leases` (`job:<id>`, held by its worker),
so `jobs.lease_until` goes; an import run knows its commune, whose lease it takes

A job running when this is applied has no lease row: the next worker to look queues it again
(workers are stopped for an upgrade anyway).

Revision ID: c5e83a1f7b62
Revises: 4b8e1f6a2c90
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "c5e83a1f7b62"
down_revision = "4b8e1f6a2c90"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_import_runs_commune_id_communes"), "communes",
                                    ["commune_id"], ["id"])


def downgrade():
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_import_runs_commune_id_communes"), type_="foreignkey")
        batch_op.drop_column("commune_id")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
