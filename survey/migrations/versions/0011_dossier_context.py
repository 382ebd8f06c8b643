"""Context for citizens: a unit's own service, and one live rating token per dossier.

- `unit.service_area_id`: the service a unit is named after (a department of land...), so its
  desk posters and kiosks default to that service's questionnaire;
- `dossier_token.revoked_at`: issuing a dossier code again (a reprinted receipt) switches the
  previous unused token off. Tokens that already share a dossier code keep only the newest
  unused one live, and none when the dossier was already rated, as if they had been issued
  under this rule.

Both tables are small (units; one row per receipt), so SQLite's batch copy is quick.

Revision ID: 0011
Revises: 0010
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FK = "fk_unit_service_area_id_service_area"


def upgrade():
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_area_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(FK, "service_area", ["service_area_id"], ["id"])
    with op.batch_alter_table("dossier_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
    # Older unused duplicates (the bug this revision fixes) stop working now.
    # The time is bound, naive UTC as the app stores it: CURRENT_TIMESTAMP would be local
    # time on PostgreSQL.
    op.get_bind().execute(sa.text(
        "UPDATE dossier_token SET revoked_at = :now "
        "WHERE used_at IS NULL AND id < (SELECT MAX(newer.id) FROM dossier_token newer "
        "WHERE newer.dossier_code = dossier_token.dossier_code AND newer.used_at IS NULL) "
        "OR used_at IS NULL AND EXISTS (SELECT 1 FROM dossier_token rated "
        "WHERE rated.dossier_code = dossier_token.dossier_code AND rated.used_at IS NOT NULL)"
    ), {"now": datetime.now(UTC).replace(tzinfo=None)})


def downgrade():
    with op.batch_alter_table("dossier_token", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_column("service_area_id")
