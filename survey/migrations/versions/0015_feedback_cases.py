"""Feedback cases (issue #23, SIPAS element E): the case routed to the responsible unit with
its deadline and status, the citizen's contact kept apart (sealed, only with consent, deleted
at close), and the case's history.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STATUSES = "('received', 'in_progress', 'answered', 'closed', 'reopened')"


def upgrade():
    op.create_table(
        "feedback_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_area_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by", sa.String(length=80), nullable=False),
        sa.Column("escalated_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("source IN ('rating', 'comment')", name=op.f("ck_feedback_case_source")),
        sa.CheckConstraint("status <> 'answered' OR (answered_at IS NOT NULL AND answer <> '')",
                           name=op.f("ck_feedback_case_answered")),
        sa.CheckConstraint(f"status IN {STATUSES}", name=op.f("ck_feedback_case_status")),
        sa.CheckConstraint("opened_at <= due_at", name=op.f("ck_feedback_case_due_after_open")),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"],
                                name=op.f("fk_feedback_case_response_id_response"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["service_area_id"], ["service_area.id"],
                                name=op.f("fk_feedback_case_service_area_id_service_area")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_feedback_case_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_case")),
        sa.UniqueConstraint("response_id", name=op.f("uq_feedback_case_response_id")),
    )
    op.create_index("ix_feedback_case_open", "feedback_case", ["status", "due_at"], unique=False)
    op.create_index(op.f("ix_feedback_case_unit_id"), "feedback_case", ["unit_id"], unique=False)
    op.create_table(
        "feedback_contact",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("consent_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'sms', 'zalo')",
                           name=op.f("ck_feedback_contact_channel")),
        sa.ForeignKeyConstraint(["case_id"], ["feedback_case.id"],
                                name=op.f("fk_feedback_contact_case_id_feedback_case"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_feedback_contact")),
    )
    op.create_table(
        "feedback_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.CheckConstraint(f"from_status IS NULL OR from_status IN {STATUSES}",
                           name=op.f("ck_feedback_event_from_status")),
        sa.CheckConstraint(f"to_status IN {STATUSES}", name=op.f("ck_feedback_event_to_status")),
        sa.ForeignKeyConstraint(["case_id"], ["feedback_case.id"],
                                name=op.f("fk_feedback_event_case_id_feedback_case"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_event")),
    )
    op.create_index(op.f("ix_feedback_event_case_id"), "feedback_event", ["case_id"],
                    unique=False)


def downgrade():
    op.drop_index(op.f("ix_feedback_event_case_id"), table_name="feedback_event")
    op.drop_table("feedback_event")
    op.drop_table("feedback_contact")
    op.drop_index(op.f("ix_feedback_case_unit_id"), table_name="feedback_case")
    op.drop_index("ix_feedback_case_open", table_name="feedback_case")
    op.drop_table("feedback_case")
