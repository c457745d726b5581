"""Index the history by time and by person, for the history search across cases.

Revision ID: 9d2e7a4c1b85
Revises: c4f1a8d2e6b9
Create Date: 2026-11-30 09:00:00

"""

from alembic import op

revision = "9d2e7a4c1b85"
down_revision = "c4f1a8d2e6b9"
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX on both databases: the append-only table is never rebuilt (nor its triggers dropped).
    op.create_index(op.f("ix_case_events_at"), "case_events", ["at"], unique=False)
    op.create_index(op.f("ix_case_events_actor_id"), "case_events", ["actor_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_case_events_actor_id"), table_name="case_events")
    op.drop_index(op.f("ix_case_events_at"), table_name="case_events")
