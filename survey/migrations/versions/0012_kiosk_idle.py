"""A kiosk's own idle time before its screen goes back to the start (None: the setting).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idle_seconds", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.drop_column("idle_seconds")
