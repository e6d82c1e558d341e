"""Register care, incidents and targets: young people (12–24) named by household (finding a
victim's household), pairs dismissed as not duplicates, merges kept with what they moved (an
admin undoes one within 30 days), register changes reported by village heads, and each
village's own target and deadline in a campaign

Revision ID: a4ce5117d399
Revises: 26bf53a49881
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4ce5117d399'
down_revision = '26bf53a49881'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('village_targets',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('target_pct', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.CheckConstraint('target_pct IS NULL OR (target_pct >= 1 AND target_pct <= 100)', name=op.f('ck_village_targets_target_range')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_village_targets_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_village_targets_village_id_villages')),
    sa.PrimaryKeyConstraint('campaign_id', 'village_id', name=op.f('pk_village_targets'))
    )
    op.create_table('duplicate_dismissals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Uuid(), nullable=False),
    sa.Column('second_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['first_id'], ['households.id'], name=op.f('fk_duplicate_dismissals_first_id_households')),
    sa.ForeignKeyConstraint(['second_id'], ['households.id'], name=op.f('fk_duplicate_dismissals_second_id_households')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_duplicate_dismissals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_dismissals')),
    sa.UniqueConstraint('first_id', 'second_id', name=op.f('uq_duplicate_dismissals_first_id'))
    )
    op.create_table('household_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('search_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_members_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_members'))
    )
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_members_household_id'), ['household_id'], unique=False)

    op.create_table('household_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duplicate_id', sa.Uuid(), nullable=False),
    sa.Column('survivor_id', sa.Uuid(), nullable=False),
    sa.Column('previous_status', sa.String(length=10), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['duplicate_id'], ['households.id'], name=op.f('fk_household_merges_duplicate_id_households')),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_household_merges_merged_by_id_users')),
    sa.ForeignKeyConstraint(['survivor_id'], ['households.id'], name=op.f('fk_household_merges_survivor_id_households')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_household_merges_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_merges'))
    )
    with op.batch_alter_table('household_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_merges_duplicate_id'), ['duplicate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_merges_survivor_id'), ['survivor_id'], unique=False)

    op.create_table('register_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=True),
    sa.Column('other_household_id', sa.Uuid(), nullable=True),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('result_household_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_register_changes_decided_by_id_users')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_register_changes_household_id_households')),
    sa.ForeignKeyConstraint(['other_household_id'], ['households.id'], name=op.f('fk_register_changes_other_household_id_households')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_register_changes_reported_by_id_users')),
    sa.ForeignKeyConstraint(['result_household_id'], ['households.id'], name=op.f('fk_register_changes_result_household_id_households')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_register_changes_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_changes'))
    )
    with op.batch_alter_table('register_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_changes_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_register_changes_status_village', ['status', 'village_id'], unique=False)



def downgrade():
    with op.batch_alter_table('register_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_register_changes_status_village')
        batch_op.drop_index(batch_op.f('ix_register_changes_household_id'))

    op.drop_table('register_changes')
    with op.batch_alter_table('household_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_merges_survivor_id'))
        batch_op.drop_index(batch_op.f('ix_household_merges_duplicate_id'))

    op.drop_table('household_merges')
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_members_household_id'))

    op.drop_table('household_members')
    op.drop_table('duplicate_dismissals')
    op.drop_table('village_targets')
