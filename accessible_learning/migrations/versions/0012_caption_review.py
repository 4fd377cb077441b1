"""caption review: each cue's checks carried across versions; who published a version, when,
and how many cues were still to check

Revision ID: c4e9a1d27b65
Revises: b7c3e81f40a2
Create Date: 2026-12-03 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e9a1d27b65'
down_revision = 'b7c3e81f40a2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('caption_tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checks', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('unreviewed_cues', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_caption_tracks_published_by_id_users'),
                                    'users', ['published_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('caption_tracks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_caption_tracks_published_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('unreviewed_cues')
        batch_op.drop_column('published_at')
        batch_op.drop_column('published_by_id')
        batch_op.drop_column('checks')
