"""the learner's voice sensitivity: when spoken commands act, ask first, or are refused
(issue 27)

Revision ID: b2c3d4e50e28
Revises: a1b2c3d40d27
Create Date: 2026-12-07 15:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b2c3d4e50e28'
down_revision = 'a1b2c3d40d27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.add_column(sa.Column('voice_sensitivity', sa.String(length=10), nullable=False,
                                   server_default='balanced'))


def downgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.drop_column('voice_sensitivity')
