"""enterprises by zone with their ids: an inspector's scope (`IN` the zone's enterprises) read from
the index alone, not from 38k table rows per query

Revision ID: d9f3b5a7c2e1
Revises: c4e8a2d6f1b3
Create Date: 2026-12-07 03:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd9f3b5a7c2e1'
down_revision = 'c4e8a2d6f1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_enterprises_zone_id_id', ['zone_id', 'id'], unique=False)
        batch_op.drop_index('ix_enterprises_zone_id')


def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index('ix_enterprises_zone_id', ['zone_id'], unique=False)
        batch_op.drop_index('ix_enterprises_zone_id_id')
