"""Drop the answer index on (item_code, value_int).

Every response wrote one entry per item into it, each on a different page (the items are
spread over the whole index), so a response's commit wrote some thirty more pages: on SQLite
that was two thirds of the time the write lock was held, capping how many citizens a province
can take per second. Reports read the maintained counts; the scans that remain reach answers
through their response (the primary key starts with response_id), and the query plans did
not use this index.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_item_value")


def downgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index("ix_answer_item_value", ["item_code", "value_int"], unique=False)
