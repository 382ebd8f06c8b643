"""Maintained answer counts for the reports.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "answer_count",
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
        sa.PrimaryKeyConstraint(
            "year", "month", "unit_id", "version_id", "service_area_id", "procedure_id",
            "channel", "respondent_type", "item_code", "value", name=op.f("pk_answer_count")),
    )
    # Existing answers are counted once here; from now on each submission adds its own.
    op.execute(
        "INSERT INTO answer_count (year, month, unit_id, version_id, service_area_id,"
        " procedure_id, channel, respondent_type, item_code, value, n)"
        " SELECT r.year, r.month, r.unit_id, r.version_id, COALESCE(r.service_area_id, 0),"
        " COALESCE(r.procedure_id, 0), r.channel, COALESCE(r.respondent_type, ''),"
        " a.item_code, COALESCE(a.value_int, a.missing_code), COUNT(*)"
        " FROM answer a JOIN response r ON r.id = a.response_id"
        " JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code"
        " WHERE vi.item_type IN ('likert5', 'rating3', 'expectation4')"
        " AND (a.value_int IS NOT NULL OR a.missing_code IS NOT NULL)"
        " GROUP BY r.year, r.month, r.unit_id, r.version_id, COALESCE(r.service_area_id, 0),"
        " COALESCE(r.procedure_id, 0), r.channel, COALESCE(r.respondent_type, ''),"
        " a.item_code, COALESCE(a.value_int, a.missing_code)"
    )


def downgrade():
    op.drop_table("answer_count")
