"""hazards on a device, newest first: a hazard search through the device walks only those

Revision ID: c4e8a2d6f1b3
Revises: b7d2e4f6a913
Create Date: 2026-12-07 03:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e8a2d6f1b3'
down_revision = 'b7d2e4f6a913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index(
            'ix_hazards_on_device_created_at_id',
            ['created_at', 'id'],
            unique=False,
            postgresql_where=sa.text('device_id IS NOT NULL'),
            sqlite_where=sa.text('device_id IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index('ix_hazards_on_device_created_at_id')
