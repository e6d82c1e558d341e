"""Coverage summary rows: per household marks, per village status, per village and day, per
village register; filled from the visits and households already there

Revision ID: 8d2f4b6a1c39
Revises: 6e1a9c3d7b20
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "8d2f4b6a1c39"
down_revision = "6e1a9c3d7b20"
branch_labels = None
depends_on = None

FIGURES = ("households", "youth", "inactive", "inactive_youth")


def _figures(names=FIGURES):
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table(
        "summary_marks",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("youth", sa.Boolean(), nullable=False),
        sa.Column("inactive", sa.Boolean(), nullable=False),
        _fk("summary_marks", "campaign_id", "campaigns"), _fk("summary_marks", "household_id", "households"),
        sa.PrimaryKeyConstraint("campaign_id", "household_id", name=op.f("pk_summary_marks")),
    )
    op.create_index("ix_summary_marks_household", "summary_marks", ["household_id"])
    op.create_table(
        "summary_village_status",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        *_figures(),
        _fk("summary_village_status", "campaign_id", "campaigns"), _fk("summary_village_status", "village_id", "villages"),
        sa.PrimaryKeyConstraint("campaign_id", "village_id", "status", name=op.f("pk_summary_village_status")),
    )
    op.create_table(
        "summary_village_days",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_figures(("warned", "youth_warned")),
        _fk("summary_village_days", "campaign_id", "campaigns"), _fk("summary_village_days", "village_id", "villages"),
        sa.PrimaryKeyConstraint("campaign_id", "village_id", "day", name=op.f("pk_summary_village_days")),
    )
    op.create_table(
        "summary_village_register",
        sa.Column("village_id", sa.Integer(), nullable=False),
        *_figures(),
        _fk("summary_village_register", "village_id", "villages"),
        sa.PrimaryKeyConstraint("village_id", name=op.f("pk_summary_village_register")),
    )
    from fieldapp.coverage import rollups

    rollups.rebuild(op.get_bind())


def downgrade():
    for table in ("summary_village_register", "summary_village_days", "summary_village_status"):
        op.drop_table(table)
    op.drop_index("ix_summary_marks_household", table_name="summary_marks")
    op.drop_table("summary_marks")
