"""The PAR INDEX series.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "par_index_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=True),
        sa.Column("method_break", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=80), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 100",
                           name=op.f("ck_par_index_entry_score_range")),
        sa.CheckConstraint("rank IS NULL OR rank >= 1",
                           name=op.f("ck_par_index_entry_rank_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_par_index_entry")),
        sa.UniqueConstraint("year", name=op.f("uq_par_index_entry_year")),
    )


def downgrade():
    op.drop_table("par_index_entry")
