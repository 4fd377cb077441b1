"""quiz answers given offline: the device's id for each sent attempt, so that answers sent again
after a lost reply make no second attempt (issue 29)

Revision ID: f8a9b0c10c26
Revises: e7f8a9b00b25
Create Date: 2026-12-07 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f8a9b0c10c26'
down_revision = 'e7f8a9b00b25'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts') as batch:
        batch.add_column(sa.Column('offline_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('answered_offline_at', sa.DateTime(), nullable=True))
        batch.create_unique_constraint('uq_quiz_attempts_offline_id', ['offline_id'])


def downgrade():
    with op.batch_alter_table('quiz_attempts') as batch:
        batch.drop_constraint('uq_quiz_attempts_offline_id', type_='unique')
        batch.drop_column('answered_offline_at')
        batch.drop_column('offline_id')
