"""A PAR round's state comes from one place: published is derived from its approvals, closed is an explicit act
recorded with who and when. The stored `status` column (open or closed, never changed by the app) goes; a round
stored as closed keeps its closing, dated when it opened.

Revision ID: 5d2a9c7e1b40
Revises: d5a7e3c1b9f2
Create Date: 2026-11-30 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "5d2a9c7e1b40"
down_revision = "d5a7e3c1b9f2"
branch_labels = None
depends_on = None

ROUND_STATUS = sa.Enum("open", "closed", name="roundstatus", native_enum=False, create_constraint=True, length=32)


def upgrade():
    with op.batch_alter_table("par_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_par_rounds_closed_by_id_users"), "users", ["closed_by_id"], ["id"]
        )
    op.execute("UPDATE par_rounds SET closed_at = opened_at WHERE status = 'closed'")
    with op.batch_alter_table("par_rounds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_par_rounds_roundstatus"), type_="check")
        batch_op.drop_column("status")


def downgrade():
    with op.batch_alter_table("par_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", ROUND_STATUS, nullable=False, server_default="open"))
    op.execute("UPDATE par_rounds SET status = 'closed' WHERE closed_at IS NOT NULL")
    with op.batch_alter_table("par_rounds", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.drop_constraint(batch_op.f("fk_par_rounds_closed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("closed_at")
