"""Downloads: a person's big export, built by a worker, kept as a stored file for them

Revision ID: 51171167bb97
Revises: 8d2f4b6a1c39
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '51171167bb97'
down_revision = '8d2f4b6a1c39'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('downloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=2000), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('mimetype', sa.String(length=120), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_downloads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_downloads'))
    )
    with op.batch_alter_table('downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_downloads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_downloads_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('downloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_downloads_user_id'))
        batch_op.drop_index(batch_op.f('ix_downloads_created_at'))

    op.drop_table('downloads')
