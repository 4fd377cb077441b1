"""description placements: final times and placement report of a described version

Revision ID: 5d1c0a9e7f31
Revises: bce83f7b8a52
Create Date: 2026-11-29 06:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0a9e7f31'
down_revision = 'bce83f7b8a52'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('description_tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('placed_vtt', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('report', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('description_tracks', schema=None) as batch_op:
        batch_op.drop_column('report')
        batch_op.drop_column('placed_vtt')
