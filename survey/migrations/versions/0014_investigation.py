"""Sampled investigations (issue #20): the investigation and its design, the frame of
resolved dossiers, the frame's encrypted contacts kept apart, the drawn cases with their
inclusion probabilities, and the cases' status history.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CASES = "('issued', 'contacted', 'completed', 'refused', 'not_eligible', 'unreachable')"


def upgrade():
    op.create_table(
        "investigation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("design", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("draw", sa.JSON(), nullable=True),
        sa.Column("frame_file", sa.String(length=300), nullable=False),
        sa.Column("frame_rows", sa.Integer(), nullable=False),
        sa.Column("frame_imported_at", sa.DateTime(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status = 'draft' OR seed IS NOT NULL", name=op.f("ck_investigation_seed_when_drawn")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'drawn', 'fieldwork', 'closed')",
            name=op.f("ck_investigation_status"),
        ),
        sa.CheckConstraint("period_from <= period_to", name=op.f("ck_investigation_period_order")),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name=op.f("fk_investigation_questionnaire_id_questionnaire"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation")),
        sa.UniqueConstraint("code", name=op.f("uq_investigation_code")),
    )
    op.create_table(
        "frame_dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("dossier_code", sa.String(length=60), nullable=False),
        sa.Column("procedure_code", sa.String(length=60), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("service_area_id", sa.Integer(), nullable=False),
        sa.Column("applicant_type", sa.String(length=20), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.Column("stratum_key", sa.String(length=200), nullable=False),
        sa.Column("psu_key", sa.String(length=60), nullable=False),
        sa.CheckConstraint(
            "applicant_type IN ('individual', 'organisation')",
            name=op.f("ck_frame_dossier_applicant_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frame_dossier")),
        sa.UniqueConstraint(
            "investigation_id",
            "dossier_code",
            name=op.f("uq_frame_dossier_investigation_id_dossier_code"),
        ),
    )
    op.create_table(
        "frame_contact",
        sa.Column("frame_dossier_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("frame_dossier_id", name=op.f("pk_frame_contact")),
    )

    op.create_table(
        "sample_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        sa.Column("frame_dossier_id", sa.Integer(), nullable=False),
        sa.Column("stratum_key", sa.String(length=200), nullable=False),
        sa.Column("psu_key", sa.String(length=60), nullable=False),
        sa.Column("psu_probability", sa.Float(), nullable=False),
        sa.Column("unit_probability", sa.Float(), nullable=False),
        sa.Column("inclusion", sa.Float(), nullable=False),
        sa.Column("design_weight", sa.Float(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_issued_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_at", sa.DateTime(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status = 'completed' OR response_id IS NULL",
            name=op.f("ck_sample_case_response_completed"),
        ),
        sa.CheckConstraint(
            "status IN " + CASES,
            name=op.f("ck_sample_case_status"),
        ),
        sa.CheckConstraint("design_weight >= 1", name=op.f("ck_sample_case_design_weight")),
        sa.CheckConstraint(
            "inclusion > 0 AND inclusion <= 1", name=op.f("ck_sample_case_inclusion")
        ),
        sa.CheckConstraint(
            "psu_probability > 0 AND psu_probability <= 1",
            name=op.f("ck_sample_case_psu_probability"),
        ),
        sa.CheckConstraint(
            "unit_probability > 0 AND unit_probability <= 1",
            name=op.f("ck_sample_case_unit_probability"),
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"],
            ["user_account.id"],
            name=op.f("fk_sample_case_collector_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["frame_dossier_id"],
            ["frame_dossier.id"],
            name=op.f("fk_sample_case_frame_dossier_id_frame_dossier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigation.id"],
            name=op.f("fk_sample_case_investigation_id_investigation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_sample_case_response_id_response"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_case")),
        sa.UniqueConstraint("frame_dossier_id", name=op.f("uq_sample_case_frame_dossier_id")),
        sa.UniqueConstraint("response_id", name=op.f("uq_sample_case_response_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sample_case_token_hash")),
    )
    with op.batch_alter_table("sample_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sample_case_collector_id"), ["collector_id"], unique=False
        )
        batch_op.create_index(
            "ix_sample_case_stratum", ["investigation_id", "stratum_key", "status"], unique=False
        )

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "from_status IS NULL OR from_status IN " + CASES,
            name=op.f("ck_case_event_from_status"),
        ),
        sa.CheckConstraint(
            "to_status IN " + CASES,
            name=op.f("ck_case_event_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["sample_case.id"],
            name=op.f("fk_case_event_case_id_sample_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)


def downgrade():
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
    with op.batch_alter_table("sample_case", schema=None) as batch_op:
        batch_op.drop_index("ix_sample_case_stratum")
        batch_op.drop_index(batch_op.f("ix_sample_case_collector_id"))

    op.drop_table("sample_case")
    op.drop_table("frame_contact")
    op.drop_table("frame_dossier")
    op.drop_table("investigation")
