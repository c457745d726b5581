"""Item scores carry a version, so that a save made after another user's page opened is refused, not lost.

Revision ID: c3e8f1a2b4d6
Revises: b7d2c4e9a1f3
Create Date: 2026-11-29 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c3e8f1a2b4d6"
down_revision = "b7d2c4e9a1f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("item_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lock_version", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    with op.batch_alter_table("item_scores", schema=None) as batch_op:
        batch_op.drop_column("lock_version")
