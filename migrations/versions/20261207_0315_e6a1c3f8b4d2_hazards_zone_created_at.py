"""hazards by zone, newest first: an inspector's hazard list and search walk their zone's hazards
in the list's order instead of the province's

Revision ID: e6a1c3f8b4d2
Revises: d9f3b5a7c2e1
Create Date: 2026-12-07 03:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e6a1c3f8b4d2'
down_revision = 'd9f3b5a7c2e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index('ix_hazards_zone_created_at_id', ['zone_id', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index('ix_hazards_zone_created_at_id')
