"""Early-warning alerts (issue #23): the daily roll-ups the watch reads (ratings per local day,
unit and service area; responses per kiosk and hour), the alerts (CUSUM and kiosk bursts, once
per unit, service or kiosk, day and hour), who has read them, and the weekly digests sent.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rating_day",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_area_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.CheckConstraint("satisfied <= n", name=op.f("ck_rating_day_satisfied_le_n")),
        sa.PrimaryKeyConstraint("unit_id", "service_area_id", "day", name=op.f("pk_rating_day")),
    )
    op.create_index("ix_rating_day_day", "rating_day", ["day"], unique=False)
    op.create_table(
        "kiosk_hour",
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", "hour", name=op.f("pk_kiosk_hour")),
    )
    op.create_index("ix_kiosk_hour_hour", "kiosk_hour", ["hour"], unique=False)
    op.create_table(
        "alert_watch_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counted_through", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_watch_state")),
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_area_id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("statistic", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("chart", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.Column("notified", sa.String(length=500), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=80), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_note", sa.String(length=500), nullable=False),
        sa.CheckConstraint("kind IN ('cusum', 'burst')", name=op.f("ck_alert_kind")),
        sa.CheckConstraint("state IN ('open', 'acknowledged')", name=op.f("ck_alert_state")),
        sa.CheckConstraint("state <> 'acknowledged' OR acknowledged_at IS NOT NULL",
                           name=op.f("ck_alert_acknowledged")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_alert_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("kind", "unit_id", "service_area_id", "kiosk_id", "day", "hour",
                            name=op.f("uq_alert_once")),
    )
    op.create_index("ix_alert_day", "alert", ["day"], unique=False)
    op.create_index(op.f("ix_alert_unit_id"), "alert", ["unit_id"], unique=False)
    op.create_table(
        "alert_read",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"],
                                name=op.f("fk_alert_read_alert_id_alert"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_alert_read_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alert_id", "user_id", name=op.f("pk_alert_read")),
    )
    op.create_index(op.f("ix_alert_read_user_id"), "alert_read", ["user_id"], unique=False)
    op.create_table(
        "alert_digest",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("week", "recipient", name=op.f("pk_alert_digest")),
    )


def downgrade():
    op.drop_table("alert_digest")
    op.drop_index(op.f("ix_alert_read_user_id"), table_name="alert_read")
    op.drop_table("alert_read")
    op.drop_index(op.f("ix_alert_unit_id"), table_name="alert")
    op.drop_index("ix_alert_day", table_name="alert")
    op.drop_table("alert")
    op.drop_table("alert_watch_state")
    op.drop_index("ix_kiosk_hour_hour", table_name="kiosk_hour")
    op.drop_table("kiosk_hour")
    op.drop_index("ix_rating_day_day", table_name="rating_day")
    op.drop_table("rating_day")
