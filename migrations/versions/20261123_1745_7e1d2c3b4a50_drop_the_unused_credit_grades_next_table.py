"""drop the unused credit_grades_next scratch table

The recompute upserts straight into credit_grades (migration 5c3f1e0a9b21 era); the
scratch table has not been written since.

Revision ID: 7e1d2c3b4a50
Revises: 5c3f1e0a9b21
Create Date: 2026-11-23 17:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e1d2c3b4a50'
down_revision = '5c3f1e0a9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('credit_grades_next')


def downgrade():
    op.create_table('credit_grades_next',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('no_safety_manager', sa.Integer(), nullable=False),
    sa.Column('operators_expired_share', sa.Integer(), nullable=False),
    sa.Column('hazards_open', sa.Integer(), nullable=False),
    sa.Column('hazards_overdue', sa.Integer(), nullable=False),
    sa.Column('major_hazards_open', sa.Integer(), nullable=False),
    sa.Column('mutual_check_findings', sa.Integer(), nullable=False),
    sa.Column('devices_overdue_share', sa.Integer(), nullable=False),
    sa.Column('inspection_findings', sa.Integer(), nullable=False),
    sa.Column('complaints_substantiated', sa.Integer(), nullable=False),
    sa.Column('enforcement_cases', sa.Integer(), nullable=False),
    sa.Column('fined_cases', sa.Integer(), nullable=False),
    sa.Column('accidents_3y', sa.Integer(), nullable=False),
    sa.Column('last_accident_on', sa.Date(), nullable=True),
    sa.Column('benchmark', sa.Boolean(), nullable=False),
    sa.Column('intrinsic_safety', sa.Boolean(), nullable=False),
    sa.Column('safety_management', sa.Float(), nullable=False),
    sa.Column('operator_competence', sa.Float(), nullable=False),
    sa.Column('risk_control', sa.Float(), nullable=False),
    sa.Column('device_condition', sa.Float(), nullable=False),
    sa.Column('inspection_results', sa.Float(), nullable=False),
    sa.Column('enforcement', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('band_grade', sa.String(length=1), nullable=False),
    sa.Column('grade', sa.String(length=1), nullable=False),
    sa.Column('reasons', sa.String(length=300), nullable=False),
    sa.Column('previous_grade', sa.String(length=1), nullable=True),
    sa.Column('last_c_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_credit_grades_next_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_credit_grades_next'))
    )
