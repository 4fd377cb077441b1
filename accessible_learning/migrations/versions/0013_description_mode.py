"""preferences: how audio description is given when it is on

Revision ID: d5f0b2e38c76
Revises: c4e9a1d27b65
Create Date: 2026-12-03 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5f0b2e38c76'
down_revision = 'c4e9a1d27b65'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_mode', sa.String(length=15), nullable=False,
                                      server_default='described'))


def downgrade():
    with op.batch_alter_table('preferences', schema=None) as batch_op:
        batch_op.drop_column('description_mode')
