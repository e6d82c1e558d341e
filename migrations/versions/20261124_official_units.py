"""Official administrative units: provinces, communes' province and history, province users

Communes made before this (a free code, a province typed as text) are matched to the
official list (Decision 19/2025/QĐ-TTg, from the `vietnam-provinces` package): the province
by name; the commune, when its province has exactly one commune of that name, takes the
official code and name, its old code kept in `commune_history` ("renamed"). The text column
`communes.province` goes.

Revision ID: 6e1a9c3d7b20
Revises: a4ce5117d399
Create Date: 2026-11-24
"""
import unicodedata
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "6e1a9c3d7b20"
down_revision = "a4ce5117d399"
branch_labels = None
depends_on = None

KINDS = ("xã ", "phường ", "đặc khu ", "thành phố ", "tỉnh ")


def _key(name: str) -> str:
    """'Xã An Phú' and 'an phu' alike: no kind, no diacritics, lower case."""
    text = " ".join((name or "").split()).lower()
    for kind in KINDS:
        if text.startswith(kind):
            text = text[len(kind):]
    text = unicodedata.normalize("NFD", text.replace("đ", "d"))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable integer column referencing `target`.id, with its index. SQLite adds the
    reference in place (rebuilding `communes` would trip the foreign keys pointing at it)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(f"fk_{table}_{column}_{target}"), table, target, [column], ["id"])


def upgrade():
    op.create_table(
        "provinces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provinces")),
        sa.UniqueConstraint("code", name=op.f("uq_provinces_code")),
    )
    op.create_table(
        "commune_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["commune_id"], ["communes.id"], name=op.f("fk_commune_history_commune_id_communes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune_history")),
    )
    op.create_index(op.f("ix_commune_history_commune_id"), "commune_history", ["commune_id"])
    op.create_index(op.f("ix_commune_history_code"), "commune_history", ["code"])
    _add_reference("communes", "province_id", "provinces")
    _add_reference("communes", "merged_into_id", "communes")
    op.add_column("communes", sa.Column("retired_on", sa.Date(), nullable=True))
    op.create_index(op.f("ix_communes_province_id"), "communes", ["province_id"])
    _add_reference("users", "province_id", "provinces")
    op.create_index(op.f("ix_users_province_id"), "users", ["province_id"])
    _match_official_units(op.get_bind())
    op.drop_column("communes", "province")  # SQLite ≥ 3.35 drops a column in place


def _match_official_units(conn) -> None:
    from vietnam_provinces import Province, Ward

    provinces = {_key(p.name): p for p in Province.iter_all()}
    for commune_id, code, name, province in conn.execute(sa.text("SELECT id, code, name, province FROM communes")).all():
        official = provinces.get(_key(province))
        if official is None:
            continue
        province_id = _province_id(conn, f"{int(official.code):02d}", official.name)
        conn.execute(sa.text("UPDATE communes SET province_id = :p WHERE id = :c"), {"p": province_id, "c": commune_id})
        same = [w for w in Ward.iter_by_province(official.code) if _key(w.name) == _key(name)]
        new_code = f"{int(same[0].code):05d}" if len(same) == 1 else None
        taken = new_code and conn.scalar(sa.text("SELECT count(*) FROM communes WHERE code = :k"), {"k": new_code})
        if new_code and new_code != code and not taken:
            conn.execute(sa.text("INSERT INTO commune_history (commune_id, code, name, change, ended_on, created_at) "
                                 "VALUES (:c, :code, :name, 'renamed', :day, CURRENT_TIMESTAMP)"),
                         {"c": commune_id, "code": code, "name": name, "day": date.today()})
            conn.execute(sa.text("UPDATE communes SET code = :k, name = :n WHERE id = :c"),
                         {"k": new_code, "n": same[0].name, "c": commune_id})


def _province_id(conn, code: str, name: str) -> int:
    found = conn.scalar(sa.text("SELECT id FROM provinces WHERE code = :k"), {"k": code})
    if found is None:
        conn.execute(sa.text("INSERT INTO provinces (code, name) VALUES (:k, :n)"), {"k": code, "n": name})
        found = conn.scalar(sa.text("SELECT id FROM provinces WHERE code = :k"), {"k": code})
    return found


def downgrade():
    op.add_column("communes", sa.Column("province", sa.String(length=120), nullable=False, server_default=""))
    op.execute("UPDATE communes SET province = coalesce((SELECT name FROM provinces p "
               "WHERE p.id = communes.province_id), '')")
    op.drop_index(op.f("ix_users_province_id"), table_name="users")
    op.drop_index(op.f("ix_communes_province_id"), table_name="communes")
    for table, column in (("users", "province_id"), ("communes", "merged_into_id"), ("communes", "province_id")):
        if op.get_bind().dialect.name != "sqlite":
            target = "communes" if column == "merged_into_id" else "provinces"
            op.drop_constraint(op.f(f"fk_{table}_{column}_{target}"), table, type_="foreignkey")
        op.drop_column(table, column)
    op.drop_column("communes", "retired_on")
    op.drop_index(op.f("ix_commune_history_code"), table_name="commune_history")
    op.drop_index(op.f("ix_commune_history_commune_id"), table_name="commune_history")
    op.drop_table("commune_history")
    op.drop_table("provinces")
