"""credit grades: fillfactor 50 on PostgreSQL, so a recompute updates grades in place

Revision ID: 5c3f1e0a9b21
Revises: 5b7e0c2d9f41
Create Date: 2026-11-23 16:20:00.000000

A full recompute rewrites every row of credit_grades (as_of changes each day) with an
upsert. With room left on each page, PostgreSQL keeps the new version on the same page
and, as zone_id and grade rarely change, leaves the two indexes alone (HOT update):
the daily cycle no longer grows the table and its indexes by 600k dead entries. New
pages get the room as rows are rewritten; SQLite has no such setting.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c3f1e0a9b21'
down_revision = '5b7e0c2d9f41'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE credit_grades SET (fillfactor = 50)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE credit_grades RESET (fillfactor)")
