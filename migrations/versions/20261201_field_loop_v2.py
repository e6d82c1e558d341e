"""Field loop v2: campaign lifecycle (closed) and standard package, walking order (a stored
walk key and the village's route), standard/detailed visits with correction reasons,
withdrawals as records

The "marked active" flag gives way to the dates: a campaign is upcoming, running or ended
by its dates in Vietnam time, and closed once closed.

Revision ID: 6a1f0c3d9b27
Revises: 4dcd9d738a75
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "6a1f0c3d9b27"
down_revision = "4dcd9d738a75"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("standard_materials", sa.JSON(), nullable=False,
                                   server_default=sa.text("'[\"leaflet\"]'")))
        batch.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_campaigns_closed_by_id_users"), "users", ["closed_by_id"], ["id"])
        batch.drop_column("is_active")
    with op.batch_alter_table("campaign_topics") as batch:
        batch.add_column(sa.Column("in_standard", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("route", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("walk_key", sa.String(length=80), nullable=False, server_default=""))
    _fill_walk_keys()
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("standard", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "visit_withdrawals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_visit_withdrawals_user_id_users")),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_visit_withdrawals_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_withdrawals")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_visit_withdrawals_visit_id")),
    )


def _fill_walk_keys() -> None:
    """Every household's walking-order key, from its code and address, in batches."""
    from fieldapp.coverage.walk import walk_string

    bind = op.get_bind()
    households = sa.table("households", sa.column("id", sa.Uuid()), sa.column("code", sa.String()),
                          sa.column("address", sa.String()), sa.column("walk_key", sa.String()))
    last = None
    while True:
        query = sa.select(households.c.id, households.c.code, households.c.address).order_by(households.c.id).limit(5000)
        if last is not None:
            query = query.where(households.c.id > last)
        rows = bind.execute(query).all()
        if not rows:
            return
        bind.execute(households.update().where(households.c.id == sa.bindparam("hid"))
                     .values(walk_key=sa.bindparam("key")),
                     [{"hid": r.id, "key": walk_string(r.code, r.address)} for r in rows])
        last = rows[-1].id


def downgrade():
    op.drop_table("visit_withdrawals")
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("standard")
        batch.drop_column("reason")
    with op.batch_alter_table("households") as batch:
        batch.drop_column("walk_key")
        batch.drop_column("route")
    with op.batch_alter_table("campaign_topics") as batch:
        batch.drop_column("in_standard")
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_constraint(batch.f("fk_campaigns_closed_by_id_users"), type_="foreignkey")
        batch.drop_column("closed_by_id")
        batch.drop_column("closed_at")
        batch.drop_column("standard_materials")
