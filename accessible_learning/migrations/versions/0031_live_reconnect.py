"""a live class survives a dropped connection: when each stream began and dropped, and all of
its recordings (issue 28)

Revision ID: e5f6a7b80b31
Revises: d4e5f6a70a30
Create Date: 2026-12-07 18:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5f6a7b80b31'
down_revision = 'd4e5f6a70a30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_classes') as batch:
        batch.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('interrupted_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('end_requested_at', sa.DateTime(), nullable=True))
        batch.alter_column('recording', existing_type=sa.String(length=300), type_=sa.Text(),
                           existing_nullable=True)


def downgrade():
    with op.batch_alter_table('live_classes') as batch:
        batch.alter_column('recording', existing_type=sa.Text(), type_=sa.String(length=300),
                           existing_nullable=True)
        batch.drop_column('end_requested_at')
        batch.drop_column('interrupted_at')
        batch.drop_column('published_at')
