"""Household marks keyed by household: one b-tree (household, campaign) instead of two, and no
foreign keys on a table `rollups.rebuild()` derives, so that a sync batch's first visits
write half the index pages and run no per-row trigger

Revision ID: 7b3d5e9a2c14
Revises: 3c7e9a1f5b20
Create Date: 2026-12-02
"""
from alembic import op

revision = '7b3d5e9a2c14'
down_revision = '3c7e9a1f5b20'
branch_labels = None
depends_on = None

FOREIGN_KEYS = (("campaign_id", "campaigns"), ("household_id", "households"))


def upgrade():
    with op.batch_alter_table("summary_marks") as batch:
        for column, target in FOREIGN_KEYS:
            batch.drop_constraint(f"fk_summary_marks_{column}_{target}", type_="foreignkey")
        batch.drop_index("ix_summary_marks_household")
        batch.drop_constraint("pk_summary_marks", type_="primary")
        batch.create_primary_key("pk_summary_marks", ["household_id", "campaign_id"])


def downgrade():
    with op.batch_alter_table("summary_marks") as batch:
        batch.drop_constraint("pk_summary_marks", type_="primary")
        batch.create_primary_key("pk_summary_marks", ["campaign_id", "household_id"])
        batch.create_index("ix_summary_marks_household", ["household_id"])
        for column, target in FOREIGN_KEYS:
            batch.create_foreign_key(f"fk_summary_marks_{column}_{target}", target, [column], ["id"])
