"""text descriptions: what happens when one is longer than its pause, and their speech rate
(MAUR TVD-4, TVD-5, EVD-1)

Revision ID: f2c6a8e4b310
Revises: e7b3d1f0a925
Create Date: 2026-12-04 01:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f2c6a8e4b310'
down_revision = 'e7b3d1f0a925'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.add_column(sa.Column('description_overflow', sa.String(length=10), nullable=False,
                                   server_default='pause'))
        batch.add_column(sa.Column('description_rate', sa.Float(), nullable=False,
                                   server_default='1.0'))


def downgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.drop_column('description_rate')
        batch.drop_column('description_overflow')
