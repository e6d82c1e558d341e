"""Households: young people (12–24) by name and year of birth (finding a victim's household);
pairs dismissed as not duplicates; merges kept with what they moved (undo within 30 days)

Revision ID: c0a1d2e3f4b5
Revises: 3f6d2b8e41c7
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "c0a1d2e3f4b5"
down_revision = "3f6d2b8e41c7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "household_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("search_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_household_members_household_id", "household_members", ["household_id"])
    op.create_table(
        "duplicate_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Uuid(), nullable=False),
        sa.Column("second_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["first_id"], ["households.id"]),
        sa.ForeignKeyConstraint(["second_id"], ["households.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("first_id", "second_id"),
    )
    op.create_table(
        "household_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duplicate_id", sa.Uuid(), nullable=False),
        sa.Column("survivor_id", sa.Uuid(), nullable=False),
        sa.Column("previous_status", sa.String(length=10), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["duplicate_id"], ["households.id"]),
        sa.ForeignKeyConstraint(["survivor_id"], ["households.id"]),
        sa.ForeignKeyConstraint(["merged_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["undone_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_household_merges_duplicate_id", "household_merges", ["duplicate_id"])
    op.create_index("ix_household_merges_survivor_id", "household_merges", ["survivor_id"])


def downgrade():
    op.drop_index("ix_household_merges_survivor_id", table_name="household_merges")
    op.drop_index("ix_household_merges_duplicate_id", table_name="household_merges")
    op.drop_table("household_merges")
    op.drop_table("duplicate_dismissals")
    op.drop_index("ix_household_members_household_id", table_name="household_members")
    op.drop_table("household_members")
