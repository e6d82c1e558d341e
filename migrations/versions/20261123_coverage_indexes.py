"""Coverage: covering indexes of visits in force (status per household, officer activity)

Revision ID: 5c0e7a9d21b4
Revises: 8b04c2989d7b
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "5c0e7a9d21b4"
down_revision = "a7c3e1f05d21"
branch_labels = None
depends_on = None

IN_FORCE = sa.text("replaced_at IS NULL")


def upgrade():
    op.create_index("ix_visits_in_force_household", "visits",
                    ["campaign_id", "household_id", "outcome", "recorded_at", "replaced_at"],
                    sqlite_where=IN_FORCE, postgresql_where=IN_FORCE)
    op.create_index("ix_visits_in_force_user", "visits",
                    ["campaign_id", "user_id", "outcome", "household_id", "recorded_at", "replaced_at"],
                    sqlite_where=IN_FORCE, postgresql_where=IN_FORCE)


def downgrade():
    op.drop_index("ix_visits_in_force_user", table_name="visits")
    op.drop_index("ix_visits_in_force_household", table_name="visits")
