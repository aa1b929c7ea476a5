"""stationing closed with a summary (驻点总结)

Revision ID: 9e1b7c3d5a20
Revises: 5c1e2d7a9b40
Create Date: 2026-12-06 19:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9e1b7c3d5a20'
down_revision = '5c1e2d7a9b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stationings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('summary', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_stationings_closed_by_id_users', 'users', ['closed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('stationings', schema=None) as batch_op:
        batch_op.drop_constraint('fk_stationings_closed_by_id_users', type_='foreignkey')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('summary')
        batch_op.drop_column('closed_on')
