"""Proof of visits: checks on each visit, the commander's review, learnt points, verification

visit_checks (one row per flag raised at receipt), check_reviews (fine / problem with a
note, latest in force), learnt_points (a household's point taken from a visit's good fix,
pending until accepted or cleared), verification_draws and verifications (the weekly random
sample per officer and its confirmed / denied / unreachable results).

Revision ID: 372637876aa4
Revises: 9d4a7f2c1e85
Create Date: 2026-12-01 16:44:21.041154

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '372637876aa4'
down_revision = '9d4a7f2c1e85'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('verification_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('window_from', sa.DateTime(), nullable=False),
    sa.Column('window_to', sa.DateTime(), nullable=False),
    sa.Column('seed', sa.String(length=32), nullable=False),
    sa.Column('sample_min', sa.Integer(), nullable=False),
    sa.Column('sample_pct', sa.Double(), nullable=False),
    sa.Column('population', sa.JSON(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_verification_draws_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_verification_draws_commune_id_communes')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_verification_draws_drawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_draws')),
    sa.UniqueConstraint('commune_id', 'campaign_id', 'window_from', name=op.f('uq_verification_draws_commune_id'))
    )
    op.create_table('check_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_reviews_user_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_check_reviews_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_reviews'))
    )
    with op.batch_alter_table('check_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_reviews_visit_id'), ['visit_id'], unique=False)

    op.create_table('learnt_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lat', sa.Double(), nullable=False),
    sa.Column('lon', sa.Double(), nullable=False),
    sa.Column('accuracy_m', sa.Double(), nullable=False),
    sa.Column('learnt_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_learnt_points_decided_by_id_users')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_learnt_points_household_id_households')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_learnt_points_user_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_learnt_points_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learnt_points'))
    )
    with op.batch_alter_table('learnt_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learnt_points_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learnt_points_state'), ['state'], unique=False)

    op.create_table('verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=12), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_verifications_by_id_users')),
    sa.ForeignKeyConstraint(['draw_id'], ['verification_draws.id'], name=op.f('fk_verifications_draw_id_verification_draws')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_verifications_household_id_households')),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_verifications_officer_id_users')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_verifications_village_id_villages')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_verifications_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verifications'))
    )
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifications_draw_id'), ['draw_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verifications_village_id'), ['village_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_verifications_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_checks',
    sa.Column('visit_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_checks_visit_id_visits')),
    sa.PrimaryKeyConstraint('visit_id', 'code', name=op.f('pk_visit_checks'))
    )
    with op.batch_alter_table('visit_checks', schema=None) as batch_op:
        batch_op.create_index('ix_visit_checks_code', ['code', 'visit_id'], unique=False)




def downgrade():

    with op.batch_alter_table('visit_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_checks_code')

    op.drop_table('visit_checks')
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifications_visit_id'))
        batch_op.drop_index(batch_op.f('ix_verifications_village_id'))
        batch_op.drop_index(batch_op.f('ix_verifications_draw_id'))

    op.drop_table('verifications')
    with op.batch_alter_table('learnt_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learnt_points_state'))
        batch_op.drop_index(batch_op.f('ix_learnt_points_household_id'))

    op.drop_table('learnt_points')
    with op.batch_alter_table('check_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_reviews_visit_id'))

    op.drop_table('check_reviews')
    op.drop_table('verification_draws')
