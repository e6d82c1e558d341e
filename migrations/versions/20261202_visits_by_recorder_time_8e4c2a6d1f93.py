"""Visits in force by recorder and device time: the burst check reads a recorder's visits
within a minute of a batch and the nearest one on each side, not the whole hour around it

Revision ID: 8e4c2a6d1f93
Revises: 7b3d5e9a2c14
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "8e4c2a6d1f93"
down_revision = "7b3d5e9a2c14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_visits_user_recorded", "visits", ["user_id", "recorded_at", "id", "outcome"], unique=False,
                    sqlite_where=sa.text("replaced_at IS NULL"), postgresql_where=sa.text("replaced_at IS NULL"))


def downgrade():
    op.drop_index("ix_visits_user_recorded", table_name="visits")
