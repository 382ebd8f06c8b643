"""Counts appended by submissions on PostgreSQL, folded into the roll-ups before reports.

Updating the same roll-up rows from every submission made concurrent submissions queue on
row locks and left a dead row version per update (about 80 responses/s on this machine);
appending to this table has no such contention (see survey/services/aggregates.py).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "answer_count_delta",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("service_area_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("respondent_type", sa.String(length=20), nullable=False),
        sa.Column("item_code", sa.String(length=63), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_count_delta")),
    )


def downgrade():
    op.drop_table("answer_count_delta")
