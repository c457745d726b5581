"""A team answers a checklist once: one answer per item and case (with who gave it and a version), and the lead's
assignment of items to team members.

Existing answers were one per inspector: the latest per item (by answered_at, then id) becomes the item's answer and
keeps its files; the others are dropped from the table. The history already holds every one of them
(`checklist.answered` events), so nothing said on site is lost.

Revision ID: d5a7e3c1b9f2
Revises: 9d2e7a4c1b85
Create Date: 2026-11-30 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d5a7e3c1b9f2"
down_revision = "9d2e7a4c1b85"
branch_labels = None
depends_on = None

# The row that stays for an item: the latest answered, the last written among equals.
KEPT = (
    "SELECT kept.id FROM checklist_answers kept WHERE kept.case_id = checklist_answers.case_id "
    "AND kept.item_id = checklist_answers.item_id ORDER BY kept.answered_at DESC, kept.id DESC LIMIT 1"
)


def upgrade():
    op.create_table(
        "checklist_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_checklist_assignments_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_checklist_assignments_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["checklist_items.id"], name=op.f("fk_checklist_assignments_item_id_checklist_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_assignments")),
        sa.UniqueConstraint("case_id", "item_id", name=op.f("uq_checklist_assignments_case_id_item_id")),
    )
    with op.batch_alter_table("checklist_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_assignments_case_id"), ["case_id"], unique=False)

    # Files of an answer that goes follow the item's answer that stays; then the others go.
    op.execute(
        "UPDATE evidence_files SET answer_id = (SELECT kept.id FROM checklist_answers answer, checklist_answers kept "
        "WHERE answer.id = evidence_files.answer_id AND kept.case_id = answer.case_id AND kept.item_id = answer.item_id "
        "ORDER BY kept.answered_at DESC, kept.id DESC LIMIT 1) WHERE answer_id IS NOT NULL"
    )
    op.execute(f"DELETE FROM checklist_answers WHERE id <> ({KEPT})")

    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.drop_constraint("uq_checklist_answers_case_id_item_id_inspector_id", type_="unique")
        batch_op.drop_constraint("fk_checklist_answers_inspector_id_users", type_="foreignkey")
        batch_op.alter_column(
            "inspector_id", new_column_name="answered_by_id", existing_type=sa.Integer(), existing_nullable=False
        )
        batch_op.add_column(sa.Column("lock_version", sa.Integer(), nullable=False, server_default="1"))
    # A second pass: SQLite's table copy loses a foreign key made on a column renamed in the same pass.
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_checklist_answers_answered_by_id_users"), "users", ["answered_by_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_checklist_answers_case_id_item_id"), ["case_id", "item_id"])


def downgrade():
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_checklist_answers_case_id_item_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_checklist_answers_answered_by_id_users"), type_="foreignkey")
        batch_op.drop_column("lock_version")
        batch_op.alter_column(
            "answered_by_id", new_column_name="inspector_id", existing_type=sa.Integer(), existing_nullable=False
        )
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.create_foreign_key("fk_checklist_answers_inspector_id_users", "users", ["inspector_id"], ["id"])
        batch_op.create_unique_constraint(
            "uq_checklist_answers_case_id_item_id_inspector_id", ["case_id", "item_id", "inspector_id"]
        )

    with op.batch_alter_table("checklist_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_assignments_case_id"))
    op.drop_table("checklist_assignments")
