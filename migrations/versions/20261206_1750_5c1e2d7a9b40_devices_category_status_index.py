"""devices (category, status) index for the province dashboard

Revision ID: 5c1e2d7a9b40
Revises: 638a75318915
Create Date: 2026-12-06 17:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1e2d7a9b40'
down_revision = '638a75318915'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index('ix_devices_category_status', ['category', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index('ix_devices_category_status')
