"""Verification sample summary rows: per campaign, village and answer, the sampled households
(so verified coverage at province level reads a few rows per village, not the sample);
filled from the verifications already there

Revision ID: 22b684557e13
Revises: 51171167bb97
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "22b684557e13"
down_revision = "51171167bb97"
branch_labels = None
depends_on = None

FILL = """
INSERT INTO summary_village_checks (campaign_id, village_id, result, households)
SELECT campaign_id, village_id, result, count(*) FROM (
  SELECT d.campaign_id, v.village_id,
         CASE WHEN v.result IN ('confirmed', 'denied', 'unreachable') THEN v.result ELSE 'pending' END AS result
  FROM verifications v JOIN verification_draws d ON d.id = v.draw_id) AS sample
GROUP BY campaign_id, village_id, result
"""


def upgrade():
    op.create_table(
        "summary_village_checks",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=12), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_summary_village_checks_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_summary_village_checks_village_id_villages")),
        sa.PrimaryKeyConstraint("campaign_id", "village_id", "result", name=op.f("pk_summary_village_checks")),
    )
    op.execute(FILL)


def downgrade():
    op.drop_table("summary_village_checks")
