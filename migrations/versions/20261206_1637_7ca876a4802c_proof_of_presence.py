"""proof of presence: position labels, device places, presence and signatures on checks and hazards

Revision ID: 7ca876a4802c
Revises: 3440fd12ec06
Create Date: 2026-12-06 16:37:00

"""
from alembic import op
import sqlalchemy as sa

import backend.core.db


# revision identifiers, used by Alembic.
revision = '7ca876a4802c'
down_revision = '3440fd12ec06'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'device_labels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.String(length=20), nullable=False),
        sa.Column('token', sa.String(length=40), nullable=False),
        sa.Column('issued_at', backend.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_labels_device_id_devices')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_device_labels')),
        sa.UniqueConstraint('device_id', 'position', name=op.f('uq_device_labels_device_id')),
        sa.UniqueConstraint('token', name=op.f('uq_device_labels_token')),
    )
    with op.batch_alter_table('device_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_labels_device_id'), ['device_id'], unique=False)

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))

    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presence', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('signature_sha256', sa.String(length=64), nullable=True))

    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presence', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_column('presence')

    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.drop_column('signature_sha256')
        batch_op.drop_column('presence')

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')

    with op.batch_alter_table('device_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_labels_device_id'))

    op.drop_table('device_labels')
