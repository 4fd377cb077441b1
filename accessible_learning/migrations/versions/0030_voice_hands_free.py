"""hands-free listening for the wake word in lessons, off by default (issue 27)

Revision ID: d4e5f6a70a30
Revises: c3d4e5f60f29
Create Date: 2026-12-07 16:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4e5f6a70a30'
down_revision = 'c3d4e5f60f29'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.add_column(sa.Column('voice_hands_free', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.drop_column('voice_hands_free')
