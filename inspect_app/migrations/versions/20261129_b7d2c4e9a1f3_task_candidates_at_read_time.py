"""Task candidates are decided when asked, from the lanes (inspect_app/access/lanes.py): drop human_task_candidates.

A frozen list of candidates missed every later role, unit, team or active change until the task was reopened.

Revision ID: b7d2c4e9a1f3
Revises: df1ced01047b
Create Date: 2026-11-29 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2c4e9a1f3'
down_revision = 'df1ced01047b'
branch_labels = None
depends_on = None

# What the lanes named when candidates were stored, for the open tasks a downgrade gives a list again.
LANE_MEMBERS = """
INSERT INTO human_task_candidates (human_task_id, user_id)
SELECT t.id, u.id FROM human_tasks t JOIN cases c ON c.id = t.case_id JOIN users u ON u.is_active = :yes
WHERE t.state = 'ready' AND (
    (t.lane IN ('director', 'council')
        AND EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.role = 'director'))
    OR (t.lane = 'unit' AND u.unit_id = c.subject_unit_id
        AND EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.role = 'unit_officer'))
    OR EXISTS (SELECT 1 FROM case_team_members m WHERE m.case_id = c.id AND m.user_id = u.id AND (
        (t.lane = 'lead' AND m.role = 'lead') OR t.lane = 'inspector' OR (t.lane = 'appraiser' AND m.role = 'member')))
)
"""


def upgrade():
    with op.batch_alter_table('human_task_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_human_task_candidates_user_id'))

    op.drop_table('human_task_candidates')


def downgrade():
    op.create_table('human_task_candidates',
    sa.Column('human_task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['human_task_id'], ['human_tasks.id'], name=op.f('fk_human_task_candidates_human_task_id_human_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_human_task_candidates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('human_task_id', 'user_id', name=op.f('pk_human_task_candidates'))
    )
    with op.batch_alter_table('human_task_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_human_task_candidates_user_id'), ['user_id'], unique=False)

    op.execute(sa.text(LANE_MEMBERS).bindparams(yes=True))
