"""search terms: character pairs of device, enterprise, hazard and complaint texts; hazards by date

Revision ID: e5b1c7d2a8f3
Revises: 9e1b7c3d5a20
Create Date: 2026-12-06 20:00:00

"""
import sqlalchemy as sa
from alembic import op

from backend.core.search import text_terms

# revision identifiers, used by Alembic.
revision = 'e5b1c7d2a8f3'
down_revision = '9e1b7c3d5a20'
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
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    for name, (source, id_type, id_column, fields) in TABLES.items():
        key_name, foreign_name = op.f(f'pk_{name}'), op.f(f'fk_{name}_{id_column}_{source}')
        # PostgreSQL: load first, then build the keys (a province is tens of millions of terms)
        constraints = [] if postgres else [
            sa.PrimaryKeyConstraint('term', id_column, name=key_name),
            sa.ForeignKeyConstraint([id_column], [f'{source}.id'], name=foreign_name, ondelete='CASCADE'),
        ]
        op.create_table(
            name,
            sa.Column('term', sa.String(length=4), nullable=False),
            sa.Column(id_column, id_type, nullable=False),
            *constraints,
        )
        _backfill(bind, name, source, id_type, id_column, fields, postgres)
        if postgres:
            op.create_primary_key(key_name, name, ['term', id_column])
            op.create_foreign_key(foreign_name, name, source, [id_column], ['id'], ondelete='CASCADE')
            op.execute(f'ANALYZE {name}')
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index('ix_hazards_created_at_id', ['created_at', 'id'], unique=False)
    if not postgres:
        op.execute('ANALYZE')


def _backfill(bind, name, source, id_type, id_column, fields, postgres):
    """Index the rows already there, in id order, a batch at a time (COPY on PostgreSQL)."""
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
        # pairs and last characters: longer terms came with f7c3a9e2b5d4, which widens the column
        pairs = [(term, row[0]) for row in rows for term in text_terms(*row[1:]) if len(term) <= 2]
        if postgres:
            _copy(bind, name, id_column, pairs)
        elif pairs:
            bind.execute(terms_table.insert(), [{'term': term, id_column: key} for term, key in pairs])
        last = rows[-1][0]


def _copy(bind, name, id_column, pairs):
    cursor = bind.connection.driver_connection.cursor()
    with cursor.copy(f'COPY {name} (term, {id_column}) FROM STDIN') as copy:
        for pair in pairs:
            copy.write_row(pair)


def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_index('ix_hazards_created_at_id')
    for name in TABLES:
        op.drop_table(name)
