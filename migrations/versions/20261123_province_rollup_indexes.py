"""Province rollups: households covering index (id, village, status, youth)

A province's coverage rollup (1 million households) merge-joins the in-force visits index
with households read in id order from this index alone, instead of hashing a million rows
(2.2 s → under 1 s on PostgreSQL, see bench/b_province.py).

PostgreSQL only: on SQLite the same index leads the planner to a worse plan for the
dashboard's warned-per-day chart (12 → 57 ms for a commune of 8,500 households), and SQLite is
the commune-sized embedded database, never a province.

Revision ID: 3f6d2b8e41c7
Revises: 5c0e7a9d21b4
Create Date: 2026-11-23
"""
from alembic import op

revision = "3f6d2b8e41c7"
down_revision = "5c0e7a9d21b4"
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _postgresql():
        op.create_index("ix_households_id_status", "households", ["id", "village_id", "status", "youth"])


def downgrade():
    if _postgresql():
        op.drop_index("ix_households_id_status", table_name="households")
