"""Responses of a sampled investigation, marked so they count in no open-collection figure.

An investigation's results are estimated with its design's weights, beside and never pooled
with the open collection's figures (issue #20). `response.investigation_id` names the
investigation whose case stored the response; it is added as 0010 added `quarantine_id`
(nullable, no default: instant on both engines), with an index for the investigation's reads.

Responses stored before this revision are already linked from `sample_case.response_id`: they
are marked here from it. Their answers were counted in the roll-ups when they were stored, so
when any is marked the roll-ups must be recomputed once with `hailong aggregates rebuild`
(this revision says so in its log; `hailong aggregates check` reports the difference until
then). The rebuild is not run here: it is the application's code, written for the newest
schema, which a later revision may change.

Revision ID: 0016
Revises: 0015
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

FK = "fk_response_investigation_id_investigation"
BACKFILL = ("UPDATE response SET investigation_id = (SELECT sc.investigation_id "
            "FROM sample_case sc WHERE sc.response_id = response.id) "
            "WHERE id IN (SELECT response_id FROM sample_case WHERE response_id IS NOT NULL)")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a named REFERENCES clause in ADD COLUMN when the default is NULL.
        op.execute(f"ALTER TABLE response ADD COLUMN investigation_id INTEGER "
                   f"CONSTRAINT {FK} REFERENCES investigation (id)")
    else:
        op.add_column("response", sa.Column("investigation_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "response", "investigation", ["investigation_id"], ["id"])
    op.create_index(op.f("ix_response_investigation_id"), "response", ["investigation_id"],
                    unique=False)
    marked = op.get_bind().execute(sa.text(BACKFILL)).rowcount
    if marked:
        logging.getLogger("alembic.runtime.migration").warning(
            "%d response(s) of sampled investigations were counted in the open-collection "
            "roll-ups: run `hailong aggregates rebuild` once to take them out", marked)


def downgrade():
    op.drop_index(op.f("ix_response_investigation_id"), table_name="response")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("response", schema=None) as batch_op:
            batch_op.drop_column("investigation_id")
    else:
        op.drop_constraint(FK, "response", type_="foreignkey")
        op.drop_column("response", "investigation_id")
