"""Every channel proves its origin: web links, closed years, kiosk throttling, answer sources.

- `web_link`: public web links that an officer issued (the proof of the "web" channel);
- `closed_year`: years closed for reporting, into which no answer is accepted any more;
- `kiosk.throttled_responses` / `kiosk.min_interval_seconds`: answers refused for coming
  faster than a person can use a kiosk are counted, and the interval can be set per kiosk;
- `response.desk_id` / `response.link_id`: the poster or link a phone or web answer came
  through, so a burst through one of them can be found and quarantined.

The response columns are added with plain ALTER TABLE ... ADD COLUMN (nullable, no default):
instant on both engines, where a batch copy of the response table would take minutes at
millions of rows.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "web_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("token_nonce", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["questionnaire_id"], ["questionnaire.id"],
                                name=op.f("fk_web_link_questionnaire_id_questionnaire")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_web_link_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_link")),
    )
    op.create_index(op.f("ix_web_link_unit_id"), "web_link", ["unit_id"], unique=False)
    op.create_table(
        "closed_year",
        sa.Column("year", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_closed_year")),
    )
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("throttled_responses", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.add_column(sa.Column("min_interval_seconds", sa.Integer(), nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, table in (("desk_id", "desk"), ("link_id", "web_link")):
        name = f"fk_response_{column}_{table}"
        if sqlite:
            # SQLite takes a named REFERENCES clause in ADD COLUMN when the default is NULL.
            op.execute(f"ALTER TABLE response ADD COLUMN {column} INTEGER "
                       f"CONSTRAINT {name} REFERENCES {table} (id)")
        else:
            op.add_column("response", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, "response", table, [column], ["id"])

def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, table in (("link_id", "web_link"), ("desk_id", "desk")):
        if sqlite:
            with op.batch_alter_table("response", schema=None) as batch_op:
                batch_op.drop_column(column)
        else:
            op.drop_constraint(f"fk_response_{column}_{table}", "response", type_="foreignkey")
            op.drop_column("response", column)
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.drop_column("min_interval_seconds")
        batch_op.drop_column("throttled_responses")
    op.drop_table("closed_year")
    op.drop_index(op.f("ix_web_link_unit_id"), table_name="web_link")
    op.drop_table("web_link")
