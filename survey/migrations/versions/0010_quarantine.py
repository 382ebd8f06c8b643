"""Quarantines: responses set aside from every figure (a burst through one kiosk, desk poster
or web link), kept, and restorable.

`response.quarantine_id` is added with a plain ALTER TABLE ... ADD COLUMN (nullable, no
default), instant on both engines, as 0009 does for its response columns; its index lets a
restore find a quarantine's responses without a scan.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FK = "fk_response_quarantine_id_quarantine"


def upgrade():
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=True),
        sa.Column("desk_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("restored_at", sa.DateTime(), nullable=True),
        sa.Column("restored_by", sa.String(length=80), nullable=True),
        sa.CheckConstraint("kind IN ('kiosk_burst', 'desk_burst', 'link_burst', 'manual')",
                           name=op.f("ck_quarantine_kind")),
        sa.CheckConstraint("first_at <= last_at", name=op.f("ck_quarantine_window")),
        sa.ForeignKeyConstraint(["desk_id"], ["desk.id"],
                                name=op.f("fk_quarantine_desk_id_desk")),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosk.id"],
                                name=op.f("fk_quarantine_kiosk_id_kiosk")),
        sa.ForeignKeyConstraint(["link_id"], ["web_link.id"],
                                name=op.f("fk_quarantine_link_id_web_link")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a named REFERENCES clause in ADD COLUMN when the default is NULL.
        op.execute(f"ALTER TABLE response ADD COLUMN quarantine_id INTEGER "
                   f"CONSTRAINT {FK} REFERENCES quarantine (id)")
    else:
        op.add_column("response", sa.Column("quarantine_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "response", "quarantine", ["quarantine_id"], ["id"])
    op.create_index(op.f("ix_response_quarantine_id"), "response", ["quarantine_id"],
                    unique=False)


def downgrade():
    op.drop_index(op.f("ix_response_quarantine_id"), table_name="response")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("response", schema=None) as batch_op:
            batch_op.drop_column("quarantine_id")
    else:
        op.drop_constraint(FK, "response", type_="foreignkey")
        op.drop_column("response", "quarantine_id")
    op.drop_table("quarantine")
