"""job messages in the reader's language: their catalogue words and values

Revision ID: 9d41b7e2c0f5
Revises: 3c2f8e61d7a4
Create Date: 2026-11-29 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d41b7e2c0f5'
down_revision = '3c2f8e61d7a4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_i18n', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('message_i18n')
