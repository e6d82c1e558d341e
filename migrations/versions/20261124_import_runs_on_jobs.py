"""Imports run as jobs: uploaded files in the database, each run knows its job and file

A register upload is stored in `stored_files` (every app server and worker reads it, none
keeps it on its disk) and imported by a job; the run points at both, so any server shows
the job's progress.

Revision ID: 9d4a7f2c1e85
Revises: 6e1b9c4d7a20
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "9d4a7f2c1e85"
down_revision = "6e1b9c4d7a20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
    )
    op.create_index(op.f("ix_stored_files_created_at"), "stored_files", ["created_at"])
    with op.batch_alter_table("import_runs") as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_import_runs_job_id"), ["job_id"])


def downgrade():
    with op.batch_alter_table("import_runs") as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_job_id"))
        batch_op.drop_column("file_id")
        batch_op.drop_column("job_id")
    op.drop_index(op.f("ix_stored_files_created_at"), table_name="stored_files")
    op.drop_table("stored_files")
