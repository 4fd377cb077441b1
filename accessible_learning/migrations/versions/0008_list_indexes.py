"""indexes for the lists shown a page at a time: users by name, submissions waiting by age

Revision ID: 3c2f8e61d7a4
Revises: 70a10dfb46d0
Create Date: 2026-11-29 17:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c2f8e61d7a4'
down_revision = '70a10dfb46d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_display_name_id', ['display_name', 'id'], unique=False)
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_status_submitted_at', ['status', 'submitted_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_status_submitted_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_display_name_id')
