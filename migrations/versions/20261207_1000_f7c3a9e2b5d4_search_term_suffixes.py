"""search terms: each word's suffixes of three characters or more (cut to 8), so a whole word is
one index range even when every one of its character pairs is common

Revision ID: f7c3a9e2b5d4
Revises: e6a1c3f8b4d2
Create Date: 2026-12-07 10:00:00

"""
import sqlalchemy as sa
from alembic import op

from backend.core.search import text_terms

# revision identifiers, used by Alembic.
revision = 'f7c3a9e2b5d4'
down_revision = 'e6a1c3f8b4d2'
branch_labels = None
depends_on = None

#: term table → (the indexed table, its id column type, the id column, the searched columns)
TABLES = {
    'device_search_terms': ('devices', sa.Integer(), 'device_id', ('name', 'location')),
    'enterprise_search_terms': ('enterprises', sa.Integer(), 'enterprise_id', ('name', 'address')),
    'hazard_search_terms': (
        'hazards', sa.String(length=36), 'hazard_id', ('description', 'category', 'location')
    ),
    'complaint_search_terms': ('complaints', sa.Integer(), 'complaint_id', ('description',)),
}
BATCH = 20_000


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    for name, (source, id_type, id_column, fields) in TABLES.items():
        # PostgreSQL: a longer varchar is a catalogue change (SQLite copies the table, still empty
        # of long terms)
        _set_term_length(name, 8)
        if postgres:
            # the key is built again after the load: tens of millions of terms on a province go
            # in far faster sorted once than inserted into it
            op.drop_constraint(op.f(f'pk_{name}'), name, type_='primary')
        _add_suffixes(bind, name, source, id_type, id_column, fields, postgres)
        if postgres:
            op.create_primary_key(op.f(f'pk_{name}'), name, ['term', id_column])
            op.execute(f'ANALYZE {name}')
    if not postgres:
        op.execute('ANALYZE')


def _add_suffixes(bind, name, source, id_type, id_column, fields, postgres):
    """The terms of three characters or more of the rows already there (their pairs and last
    characters are indexed), in id order, a batch at a time (COPY on PostgreSQL)."""
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
        terms = [(term, row[0]) for row in rows for term in text_terms(*row[1:]) if len(term) > 2]
        if postgres:
            _copy(bind, name, id_column, terms)
        elif terms:
            bind.execute(terms_table.insert(), [{'term': term, id_column: key} for term, key in terms])
        last = rows[-1][0]


def _copy(bind, name, id_column, terms):
    cursor = bind.connection.driver_connection.cursor()
    with cursor.copy(f'COPY {name} (term, {id_column}) FROM STDIN') as copy:
        for term in terms:
            copy.write_row(term)


def _set_term_length(name, length):
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.alter_column('term', type_=sa.String(length=length), existing_nullable=False)


def downgrade():
    for name in TABLES:
        op.execute(f'DELETE FROM {name} WHERE length(term) > 2')  # noqa: S608 (our table names)
        _set_term_length(name, 4)
