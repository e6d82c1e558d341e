"""Commitment photos: one JPEG per visit, kept in the database (shared by every app server,
in the backup, deleted by the retention purge)

Revision ID: 4dcd9d738a75
Revises: 372637876aa4
Create Date: 2026-12-01 17:13:49.447844

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4dcd9d738a75'
down_revision = '372637876aa4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commitment_photos',
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_commitment_photos_user_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_commitment_photos_visit_id_visits')),
    sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_commitment_photos'))
    )


def downgrade():
    op.drop_table('commitment_photos')
