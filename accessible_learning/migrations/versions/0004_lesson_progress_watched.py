"""lesson chapters; lesson progress: the parts played, how and when the lesson was completed

Revision ID: 7a2e4c1d9b08
Revises: 5d1c0a9e7f31
Create Date: 2026-11-29 09:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a2e4c1d9b08'
down_revision = '5d1c0a9e7f31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chapters', sa.Text(), nullable=True))
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('watched', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('watched_s', sa.Float(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('completed_by', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_column('completed_at')
        batch_op.drop_column('completed_by')
        batch_op.drop_column('watched_s')
        batch_op.drop_column('watched')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('chapters')
