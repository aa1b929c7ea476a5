"""record late mutual checks

Revision ID: 5b7e0c2d9f41
Revises: 4931215fd9ee
Create Date: 2026-11-23 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e0c2d9f41'
down_revision = '4931215fd9ee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mutual_check_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('mutual_check_assignments', schema=None) as batch_op:
        batch_op.drop_column('late')
