"""presence (photo provenance, place) on hazard steps: the rectification's after-photos

Revision ID: e3b7a1c94d20
Revises: e5b1c7d2a8f3
Create Date: 2026-12-06 20:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b7a1c94d20'
down_revision = 'e5b1c7d2a8f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presence', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.drop_column('presence')
