"""devices by key_monitored, enterprise and status (with due dates): the monthly report's key devices;
devices by zone and registration number, and by zone and category: an inspector's search by number
prefix and list of one category

Revision ID: b7d2e4f6a913
Revises: e3b7a1c94d20
Create Date: 2026-12-06 23:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d2e4f6a913'
down_revision = 'e3b7a1c94d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(
            'ix_devices_key_enterprise_status',
            ['key_monitored', 'enterprise_id', 'status', 'next_inspection_due', 'accessory_next_due'],
            unique=False,
        )
        batch_op.create_index('ix_devices_zone_registration_no', ['zone_id', 'registration_no'], unique=False)
        batch_op.create_index('ix_devices_zone_category', ['zone_id', 'category'], unique=False)


def downgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index('ix_devices_zone_category')
        batch_op.drop_index('ix_devices_zone_registration_no')
        batch_op.drop_index('ix_devices_key_enterprise_status')
