"""Visit companions by person: the dashboard's officer activity finds a person's visits as
companion without reading every companion row of the province

Revision ID: 3c7e9a1f5b20
Revises: 22b684557e13
Create Date: 2026-12-02
"""
from alembic import op

revision = '3c7e9a1f5b20'
down_revision = '22b684557e13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_visit_companions_user', 'visit_companions', ['user_id', 'visit_id'], unique=False)


def downgrade():
    op.drop_index('ix_visit_companions_user', table_name='visit_companions')
