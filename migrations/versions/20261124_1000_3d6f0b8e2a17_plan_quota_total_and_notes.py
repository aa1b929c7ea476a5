"""plan quota total and notes

Revision ID: 3d6f0b8e2a17
Revises: 9b5e7c3d2f11
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d6f0b8e2a17'
down_revision = '9b5e7c3d2f11'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quota_total', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notes', sa.Text(), server_default='', nullable=False))
    # plans drawn before held exactly their size
    op.execute('UPDATE inspection_plans SET quota_total = size')
    with op.batch_alter_table('inspection_plans', schema=None) as batch_op:
        batch_op.alter_column('quota_total', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('inspection_plans', schema=None) as batch_op:
        batch_op.drop_column('notes')
        batch_op.drop_column('quota_total')
