"""search terms: character pairs of device, enterprise, hazard and complaint texts

Revision ID: e5b1c7d2a8f3
Revises: 5c1e2d7a9b40
Create Date: 2026-12-06 20:00:00

"""
import sqlalchemy as sa
from alembic import op

from backend.core.search import text_terms

# revision identifiers, used by Alembic.
revision = 'e5b1c7d2a8f3'
down_revision = '5c1e2d7a9b40'
branch_labels = None
depends_on = None

#: term table → (the indexed table, its id column type, the id column, the searched columns)
TABLES = {
    'device_search_terms': ('devices', sa.Integer(), 'device_id', ('name', 'location')),
    'enterprise_search_terms': ('enterprises', sa.Integer(), 'enterprise_id', ('name', 'address')),
    'hazard_search_terms': ('hazards', sa.String(length=36), 'hazard_id', ('description', 'category', 'location')),
    'complaint_search_terms': ('complaints', sa.Integer(), 'complaint_id', ('description',)),
}
BATCH = 20_000


def upgrade():
    for name, (source, id_type, id_column, _fields) in TABLES.items():
        op.create_table(
            name,
            sa.Column('term', sa.String(length=4), nullable=False),
            sa.Column(id_column, id_type, nullable=False),
            sa.ForeignKeyConstraint(
                [id_column], [f'{source}.id'], name=op.f(f'fk_{name}_{id_column}_{source}'), ondelete='CASCADE'
            ),
            sa.PrimaryKeyConstraint('term', id_column, name=op.f(f'pk_{name}')),
        )
    bind = op.get_bind()
    for name, (source, id_type, id_column, fields) in TABLES.items():
        _backfill(bind, name, source, id_type, id_column, fields)
        if bind.dialect.name == 'postgresql':
            op.execute(f'ANALYZE {name}')
    if bind.dialect.name == 'sqlite':
        op.execute('ANALYZE')


def _backfill(bind, name, source, id_type, id_column, fields):
    """Index the rows already there, in id order, a batch at a time."""
    rows_table = sa.table(source, sa.column('id', id_type), *(sa.column(f) for f in fields))
    terms_table = sa.table(name, sa.column('term'), sa.column(id_column))
    last = None
    while True:
        query = sa.select(rows_table).order_by(rows_table.c.id).limit(BATCH)
        if last is not None:
            query = query.where(rows_table.c.id > last)
        rows = bind.execute(query).all()
        if not rows:
            return
        values = [{'term': term, id_column: row[0]} for row in rows for term in text_terms(*row[1:])]
        if values:
            bind.execute(terms_table.insert(), values)
        last = rows[-1][0]


def downgrade():
    for name in TABLES:
        op.drop_table(name)
