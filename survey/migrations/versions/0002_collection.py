"""collection: dossier tokens, kiosk ignored-press counter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:09:43.087666

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dossier_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('dossier_code', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=True),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by', sa.String(length=80), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('on_time_status', sa.String(length=10), nullable=True),
    sa.CheckConstraint("on_time_status IS NULL OR on_time_status IN ('early', 'on_time', 'late')", name=op.f('ck_dossier_token_on_time_status')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedure.id'], name=op.f('fk_dossier_token_procedure_id_procedure')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_dossier_token_questionnaire_id_questionnaire')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_dossier_token_response_id_response'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_dossier_token_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_token')),
    sa.UniqueConstraint('response_id', name=op.f('uq_dossier_token_response_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_dossier_token_token_hash'))
    )
    with op.batch_alter_table('dossier_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_token_dossier_code'), ['dossier_code'], unique=False)

    with op.batch_alter_table('kiosk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ignored_presses', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('kiosk', schema=None) as batch_op:
        batch_op.drop_column('ignored_presses')

    with op.batch_alter_table('dossier_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_token_dossier_code'))

    op.drop_table('dossier_token')
