"""Units have lives: validity dates, and the events (merges, splits, renames, moves,
abolitions) that the 2025 two-level reform and later decisions apply to them.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))

    op.create_table(
        "unit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("decision_number", sa.String(length=100), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("old_parent_id", sa.Integer(), nullable=True),
        sa.Column("new_parent_id", sa.Integer(), nullable=True),
        sa.Column("old_name_vi", sa.String(length=200), nullable=False),
        sa.Column("new_name_vi", sa.String(length=200), nullable=False),
        sa.Column("old_name_en", sa.String(length=200), nullable=False),
        sa.Column("new_name_en", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("kind IN ('merge', 'split', 'rename', 'move', 'abolish')",
                           name=op.f("ck_unit_event_kind")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_event_unit_id_unit"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["old_parent_id"], ["unit.id"],
                                name=op.f("fk_unit_event_old_parent_id_unit"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["new_parent_id"], ["unit.id"],
                                name=op.f("fk_unit_event_new_parent_id_unit"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_event")),
        sa.UniqueConstraint("unit_id", "kind", "effective",
                            name=op.f("uq_unit_event_unit_id_kind_effective")),
    )
    with op.batch_alter_table("unit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_event_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "unit_event_successor",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.CheckConstraint("share > 0 AND share <= 1", name=op.f("ck_unit_event_successor_share")),
        sa.ForeignKeyConstraint(["event_id"], ["unit_event.id"],
                                name=op.f("fk_unit_event_successor_event_id_unit_event"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_unit_event_successor_unit_id_unit"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("event_id", "unit_id", name=op.f("pk_unit_event_successor")),
    )
    with op.batch_alter_table("unit_event_successor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_event_successor_unit_id"), ["unit_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("unit_event_successor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_event_successor_unit_id"))
    op.drop_table("unit_event_successor")
    with op.batch_alter_table("unit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_event_unit_id"))
    op.drop_table("unit_event")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
