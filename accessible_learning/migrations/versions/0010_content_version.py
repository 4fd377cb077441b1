"""the content version: changes whenever a course, lesson or anything shown of them changes

Revision ID: 5e8a2c917b3d
Revises: 9d41b7e2c0f5
Create Date: 2026-11-29 19:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e8a2c917b3d'
down_revision = '9d41b7e2c0f5'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': 'initial'}])


def downgrade():
    op.drop_table('content_version')
