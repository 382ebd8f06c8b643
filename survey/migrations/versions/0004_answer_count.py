"""Maintained answer counts for the reports, at three roll-up levels.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEYS = {
    "answer_count": ("year", "month", "unit_id", "version_id", "service_area_id",
                     "procedure_id", "channel", "respondent_type", "item_code", "value"),
    "answer_count_unit": ("year", "unit_id", "version_id", "service_area_id", "item_code",
                          "value"),
    "answer_count_year": ("year", "version_id", "service_area_id", "item_code", "value"),
}
TYPES = {
    "year": sa.SmallInteger, "month": sa.SmallInteger, "unit_id": sa.Integer,
    "version_id": sa.Integer, "service_area_id": sa.Integer, "procedure_id": sa.Integer,
    "channel": lambda: sa.String(length=10), "respondent_type": lambda: sa.String(length=20),
    "item_code": lambda: sa.String(length=63), "value": sa.SmallInteger,
}
SOURCE = {
    "year": "r.year", "month": "r.month", "unit_id": "r.unit_id", "version_id": "r.version_id",
    "service_area_id": "COALESCE(r.service_area_id, 0)",
    "procedure_id": "COALESCE(r.procedure_id, 0)", "channel": "r.channel",
    "respondent_type": "COALESCE(r.respondent_type, '')", "item_code": "a.item_code",
    "value": "COALESCE(a.value_int, a.missing_code)",
}


def upgrade():
    for table, key in KEYS.items():
        op.create_table(
            table,
            *(sa.Column(name, TYPES[name](), nullable=False) for name in key),
            sa.Column("n", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{table}")),
        )
        # Existing answers are counted once here; from now on each submission adds its own.
        expressions = ", ".join(SOURCE[name] for name in key)
        op.execute(
            f"INSERT INTO {table} ({', '.join(key)}, n) SELECT {expressions}, COUNT(*)"
            " FROM answer a JOIN response r ON r.id = a.response_id"
            " JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code"
            " WHERE vi.item_type IN ('likert5', 'rating3', 'expectation4')"
            " AND (a.value_int IS NOT NULL OR a.missing_code IS NOT NULL)"
            f" GROUP BY {expressions}"
        )


def downgrade():
    for table in KEYS:
        op.drop_table(table)
