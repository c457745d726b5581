"""The history refuses TRUNCATE too: a statement trigger beside the row trigger that refuses UPDATE and DELETE.

TRUNCATE fires no row triggers, so `TRUNCATE case_events` (or `TRUNCATE cases CASCADE`) emptied the history that
UPDATE and DELETE may not touch. PostgreSQL only: SQLite has no TRUNCATE and no such trigger.

Revision ID: c4f1a8d2e6b9
Revises: cb7705db7e5c
Create Date: 2026-11-29 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4f1a8d2e6b9'
down_revision = 'cb7705db7e5c'
branch_labels = None
depends_on = None

REFUSE_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION case_events_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_TRUNCATE_FUNCTION)
        op.execute(
            "CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION case_events_refuse_truncate()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS case_events_no_truncate ON case_events")
        op.execute("DROP FUNCTION IF EXISTS case_events_refuse_truncate()")
