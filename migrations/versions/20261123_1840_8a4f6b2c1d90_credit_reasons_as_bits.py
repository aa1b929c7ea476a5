"""credit grades keep their reasons as bits (reason_bits), not as a comma-separated string

The set-based recompute adds one bit per rule that fired instead of joining a dozen
strings per enterprise (backend/credit/rules.py REASON_ORDER). Existing rows convert both
ways; the bit order below is the one of this revision.

Revision ID: 8a4f6b2c1d90
Revises: 7e1d2c3b4a50
Create Date: 2026-11-23 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a4f6b2c1d90'
down_revision = '7e1d2c3b4a50'
branch_labels = None
depends_on = None

ORDER = ('accident_free', 'benchmark', 'intrinsic_safety', 'd_accident', 'd_fined',
         'never_a_young', 'never_a_previous', 'never_a_accident', 'c_bar', 'accident_lock')
TABLES = ('credit_grades', 'credit_grade_changes')


def _bits(codes: str) -> int:
    return sum(1 << ORDER.index(c) for c in set(codes.split(',')) if c)


def _codes(bits: int) -> str:
    return ''.join(f'{c},' for i, c in enumerate(ORDER) if bits & (1 << i))


def upgrade():
    bind = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('reason_bits', sa.Integer(), nullable=False, server_default='0'))
        for (codes,) in bind.execute(sa.text(f'SELECT DISTINCT reasons FROM {table}')).all():
            bind.execute(sa.text(f'UPDATE {table} SET reason_bits = :bits WHERE reasons = :codes'),
                         {'bits': _bits(codes), 'codes': codes})
        with op.batch_alter_table(table) as batch:
            batch.drop_column('reasons')
            batch.alter_column('reason_bits', server_default=None)


def downgrade():
    bind = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('reasons', sa.String(length=300), nullable=False, server_default=''))
        for (bits,) in bind.execute(sa.text(f'SELECT DISTINCT reason_bits FROM {table}')).all():
            bind.execute(sa.text(f'UPDATE {table} SET reasons = :codes WHERE reason_bits = :bits'),
                         {'bits': bits, 'codes': _codes(bits)})
        with op.batch_alter_table(table) as batch:
            batch.drop_column('reason_bits')
            batch.alter_column('reasons', server_default=None)
