"""authoring: lessons can be drafts; courses and lessons can be archived

Revision ID: b7c3e81f40a2
Revises: 5e8a2c917b3d
Create Date: 2026-12-03 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c3e81f40a2'
down_revision = '5e8a2c917b3d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        # Every lesson made before drafts existed was shown to learners: it stays published.
        batch_op.add_column(sa.Column('published', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('published')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
