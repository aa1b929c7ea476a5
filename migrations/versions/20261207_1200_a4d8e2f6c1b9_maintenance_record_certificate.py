"""maintenance records keep the operator certificate they were accepted on (number and holder)

Revision ID: a4d8e2f6c1b9
Revises: f7c3a9e2b5d4
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4d8e2f6c1b9'
down_revision = 'f7c3a9e2b5d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('maintenance_records') as batch_op:
        batch_op.add_column(sa.Column('certificate_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('certificate_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('certificate_holder', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('maintenance_records') as batch_op:
        batch_op.drop_column('certificate_holder')
        batch_op.drop_column('certificate_number')
        batch_op.drop_column('certificate_id')
