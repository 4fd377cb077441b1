"""caption display preferences: font, edge, background opacity and position (MAUR CC-5, CC-9–11)

Revision ID: e7b3d1f0a925
Revises: d4a8c2e61f37
Create Date: 2026-12-04 00:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7b3d1f0a925'
down_revision = 'd4a8c2e61f37'
branch_labels = None
depends_on = None

COLUMNS = [('caption_font', 10, 'default'), ('caption_edge', 10, 'none'),
           ('caption_opacity', 3, '100'), ('caption_position', 10, 'bottom')]


def upgrade():
    with op.batch_alter_table('preferences') as batch:
        for name, length, default in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False,
                                       server_default=default))


def downgrade():
    with op.batch_alter_table('preferences') as batch:
        for name, _, _ in reversed(COLUMNS):
            batch.drop_column(name)
