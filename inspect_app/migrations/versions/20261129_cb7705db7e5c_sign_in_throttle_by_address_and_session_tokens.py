"""Sign-in throttling counts by client address: index login_attempts by (remote_addr, at), not (username, at).
Every user gets a session token, part of each session's identity, so that a new one ends every session.

Sessions signed in before this upgrade carry no token: everyone signs in once more.

Revision ID: cb7705db7e5c
Revises: c3e8f1a2b4d6
Create Date: 2026-11-29 12:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cb7705db7e5c'
down_revision = 'c3e8f1a2b4d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), server_default='', nullable=False))

    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for user_id in connection.scalars(sa.select(users.c.id)).all():
        token = secrets.token_urlsafe(16)
        connection.execute(users.update().where(users.c.id == user_id).values(session_token=token))

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_username_at')
        batch_op.create_index('ix_login_attempts_remote_addr_at', ['remote_addr', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_remote_addr_at')
        batch_op.create_index('ix_login_attempts_username_at', ['username', 'at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
