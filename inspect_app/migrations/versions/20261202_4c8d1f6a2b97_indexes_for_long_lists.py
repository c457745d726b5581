"""Indexes for the lists people read most, measured at 100k cases and 10M events (bench/scale.py).

- human_tasks (state, due_at IS NULL, coalesce(due_at, created_at), created_at, id): the inbox's own order, so that
  its first page and every keyset page read 26 rows in order instead of sorting every open task.
- human_tasks (state, lane, case_id, claimed_by_id): a lane's open tasks, counted from the index alone (a director's
  inbox count).
- human_tasks (case_id, state, lane, claimed_by_id) instead of (case_id): one case's open tasks of a lane, for the
  team lanes (a lead's inbox count goes from the lead's cases to their tasks).
- case_team_members (user_id, role, case_id) instead of (user_id): the cases a user is on the team of, in one role,
  from the index alone.
- cases (case_type, status, created_at, id): the case list filtered by type and status, in its order, and counted.
- inspections (planned_end): the inspections on site today (the inspector's dashboard).
- notifications (user_id) WHERE read_at IS NULL: the unread count on every page, from the index alone.

And, on PostgreSQL, cases keep their engine state out of line (toast_tuple_target 1024): a case row was 1.8 KB, most of
it the compressed state, which no list reads; lists and searches that walk many cases then read 32 MB instead of
190 MB at 100k cases (a lead's search 26 -> 15 ms, its count 18 -> 10 ms). Rows move as they are next written.

Revision ID: 4c8d1f6a2b97
Revises: 7b3e9f2a6c14
Create Date: 2026-12-02 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "4c8d1f6a2b97"
down_revision = "7b3e9f2a6c14"
branch_labels = None
depends_on = None

UNREAD = sa.text("read_at IS NULL")


def upgrade():
    op.create_index(
        "ix_human_tasks_inbox_order",
        "human_tasks",
        ["state", sa.text("(due_at IS NULL)"), sa.text("coalesce(due_at, created_at)"), "created_at", "id"],
    )
    op.create_index("ix_human_tasks_state_lane_case_id", "human_tasks", ["state", "lane", "case_id", "claimed_by_id"])
    op.create_index("ix_human_tasks_case_id_state_lane", "human_tasks", ["case_id", "state", "lane", "claimed_by_id"])
    op.drop_index("ix_human_tasks_case_id", table_name="human_tasks")
    op.create_index("ix_case_team_members_user_id_role", "case_team_members", ["user_id", "role", "case_id"])
    op.drop_index("ix_case_team_members_user_id", table_name="case_team_members")
    op.create_index("ix_cases_case_type_status_created_at", "cases", ["case_type", "status", "created_at", "id"])
    op.create_index("ix_inspections_planned_end", "inspections", ["planned_end"])
    op.create_index(
        "ix_notifications_unread_user_id", "notifications", ["user_id"], postgresql_where=UNREAD, sqlite_where=UNREAD
    )
    if op.get_bind().dialect.name == "postgresql":
        # A new state (5 KB of JSON) is compressed, and then, the row being still over 1 KB, moved to the TOAST table.
        op.execute("ALTER TABLE cases SET (toast_tuple_target = 1024)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE cases RESET (toast_tuple_target)")
    op.drop_index("ix_notifications_unread_user_id", table_name="notifications")
    op.drop_index("ix_inspections_planned_end", table_name="inspections")
    op.drop_index("ix_cases_case_type_status_created_at", table_name="cases")
    op.create_index("ix_case_team_members_user_id", "case_team_members", ["user_id"])
    op.drop_index("ix_case_team_members_user_id_role", table_name="case_team_members")
    op.create_index("ix_human_tasks_case_id", "human_tasks", ["case_id"])
    op.drop_index("ix_human_tasks_case_id_state_lane", table_name="human_tasks")
    op.drop_index("ix_human_tasks_state_lane_case_id", table_name="human_tasks")
    op.drop_index("ix_human_tasks_inbox_order", table_name="human_tasks")
