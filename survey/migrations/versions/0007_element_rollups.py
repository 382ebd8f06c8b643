"""Maintained sufficient statistics of the SIPAS elements (α and the drivers).

The elements panel computed Cronbach's α and the Spearman drivers from every survey answer on
each request (about a minute at 2,000,000 responses); these roll-ups let it read O(groups)
rows instead. Existing answers are counted here once; from now on each submission adds its
own (see survey/services/aggregates.py).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PAIRS = ("year", "unit_id", "version_id", "service_area_id", "element", "total", "answered",
         "overall")
ITEMS = ("year", "unit_id", "version_id", "service_area_id", "element", "item_code", "value")
TYPES = {
    "year": sa.SmallInteger, "unit_id": sa.Integer, "version_id": sa.Integer,
    "service_area_id": sa.Integer, "element": lambda: sa.String(length=1),
    "total": sa.SmallInteger, "answered": sa.SmallInteger, "overall": sa.SmallInteger,
    "item_code": lambda: sa.String(length=63), "value": sa.SmallInteger,
}
TABLES = {
    "element_pair_unit": PAIRS,
    "element_pair_year": tuple(k for k in PAIRS if k != "unit_id"),
    "element_item_unit": ITEMS,
    "element_item_year": tuple(k for k in ITEMS if k != "unit_id"),
}
DELTAS = {"element_pair_delta": PAIRS, "element_item_delta": ITEMS}

_ANSWERS = ("FROM answer a JOIN response r ON r.id = a.response_id "
            "JOIN version_item vi ON vi.version_id = r.version_id AND vi.code = a.item_code ")
_ELEMENT_ANSWERS = (_ANSWERS + "WHERE vi.element IS NOT NULL AND vi.item_type = 'likert5' "
                    "AND a.value_int IS NOT NULL")
PER_RESPONDENT = ("SELECT a.response_id, vi.element, SUM(a.value_int) AS total, "
                  f"COUNT(*) AS answered {_ELEMENT_ANSWERS} GROUP BY a.response_id, vi.element")
OVERALL = (f"SELECT a.response_id, MAX(a.value_int) AS overall {_ANSWERS}"
           "WHERE vi.is_overall AND a.value_int IS NOT NULL GROUP BY a.response_id")
SIZES = ("SELECT version_id, element, COUNT(*) AS k FROM version_item "
         "WHERE element IS NOT NULL AND item_type = 'likert5' GROUP BY version_id, element")
PAIR_SOURCE = ("r.year, r.unit_id, r.version_id, COALESCE(r.service_area_id, 0), p.element, "
               "p.total, p.answered, COALESCE(o.overall, 0)")
ITEM_SOURCE = ("r.year, r.unit_id, r.version_id, COALESCE(r.service_area_id, 0), vi.element, "
               "a.item_code, a.value_int")


def upgrade():
    for table, key in {**TABLES, **DELTAS}.items():
        delta = table in DELTAS
        op.create_table(
            table,
            *([sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                         nullable=False)] if delta else []),
            *(sa.Column(name, TYPES[name](), nullable=False) for name in key),
            sa.Column("n", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint(*(("id",) if delta else key), name=op.f(f"pk_{table}")),
        )
    op.execute(
        f"INSERT INTO element_pair_unit ({', '.join(PAIRS)}, n) "
        f"SELECT {PAIR_SOURCE}, COUNT(*) FROM ({PER_RESPONDENT}) p "
        "JOIN response r ON r.id = p.response_id "
        f"LEFT JOIN ({OVERALL}) o ON o.response_id = p.response_id GROUP BY {PAIR_SOURCE}")
    op.execute(
        f"INSERT INTO element_item_unit ({', '.join(ITEMS)}, n) "
        f"SELECT {ITEM_SOURCE}, COUNT(*) {_ANSWERS}"
        f"JOIN ({PER_RESPONDENT}) p ON p.response_id = a.response_id AND p.element = vi.element "
        f"JOIN ({SIZES}) s ON s.version_id = r.version_id AND s.element = vi.element "
        "WHERE vi.item_type = 'likert5' AND a.value_int IS NOT NULL AND p.answered < s.k "
        f"GROUP BY {ITEM_SOURCE}")
    for fine, coarse in (("element_pair_unit", "element_pair_year"),
                         ("element_item_unit", "element_item_year")):
        columns = ", ".join(TABLES[coarse])
        op.execute(f"INSERT INTO {coarse} ({columns}, n) SELECT {columns}, SUM(n) FROM {fine} "
                   f"GROUP BY {columns}")


def downgrade():
    for table in (*TABLES, *DELTAS):
        op.drop_table(table)
