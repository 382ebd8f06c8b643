"""Session version on staff accounts; the hard login lockout goes.

`session_version` is part of every session's user id (survey/models/accounts.py): bumping it on
logout, password change, password reset or deactivation ends every session and remember-me
cookie issued before. `failed_logins` / `locked_until` implemented a 15-minute lockout that let
anyone lock staff out by typing five wrong passwords; login is now throttled per client
instead (survey/auth/throttle.py), so the columns are dropped.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.drop_column("session_version")
