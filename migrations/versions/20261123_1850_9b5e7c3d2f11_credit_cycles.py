"""record each full credit recompute (credit_cycles)

A full cycle now rewrites only the grade rows whose content changed; the cycle row says
which day every other grade was confirmed on.

Revision ID: 9b5e7c3d2f11
Revises: 8a4f6b2c1d90
Create Date: 2026-11-23 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import backend.core.db


# revision identifiers, used by Alembic.
revision = '9b5e7c3d2f11'
down_revision = '8a4f6b2c1d90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credit_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('graded', sa.Integer(), nullable=False),
    sa.Column('written', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('recorded_at', backend.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_cycles'))
    )


def downgrade():
    op.drop_table('credit_cycles')
