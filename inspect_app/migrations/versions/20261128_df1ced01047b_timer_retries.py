"""Timer retries: attempts, last error and next attempt on workflow timers, and the failed state.

Revision ID: df1ced01047b
Revises: 6a3581f7a6e4
Create Date: 2026-11-28 23:58:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df1ced01047b'
down_revision = '6a3581f7a6e4'
branch_labels = None
depends_on = None

# The state is stored as its value in a VARCHAR guarded by a named CHECK constraint (see enum_column_type).
STATE_CHECK = 'ck_workflow_timers_timerstate'


def _states(*values):
    return 'state IN (' + ', '.join(f"'{value}'" for value in values) + ')'


def upgrade():
    with op.batch_alter_table('workflow_timers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_error', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f(STATE_CHECK), type_='check')
        batch_op.create_check_constraint(op.f(STATE_CHECK), _states('waiting', 'fired', 'cancelled', 'failed'))


def downgrade():
    # A failed timer becomes a waiting one again, which the old worker will try (and may fail) once more.
    op.execute("UPDATE workflow_timers SET state = 'waiting' WHERE state = 'failed'")
    with op.batch_alter_table('workflow_timers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATE_CHECK), type_='check')
        batch_op.create_check_constraint(op.f(STATE_CHECK), _states('waiting', 'fired', 'cancelled'))
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
