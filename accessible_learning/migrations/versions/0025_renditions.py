"""smaller versions of each media file (HLS renditions and audio only) and the learner's picture
quality and audio-and-text choices (issue 29)

Revision ID: e7f8a9b00b25
Revises: b3c4d5e60723
Create Date: 2026-12-04 06:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7f8a9b00b25'
down_revision = 'b3c4d5e60723'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rendition_sets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('media_id', sa.Integer(), nullable=False),
        sa.Column('folder', sa.String(length=200), nullable=False),
        sa.Column('variants', sa.JSON(), nullable=False),
        sa.Column('audio_bytes', sa.BigInteger(), nullable=True),
        sa.Column('seconds', sa.Float(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['media_id'], ['media_assets.id'],
                                name=op.f('fk_rendition_sets_media_id_media_assets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rendition_sets')),
        sa.UniqueConstraint('media_id', name=op.f('uq_rendition_sets_media_id')),
    )
    with op.batch_alter_table('preferences') as batch:
        batch.add_column(sa.Column('video_quality', sa.String(length=8), nullable=False,
                                   server_default='auto'))
        batch.add_column(sa.Column('audio_mode', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.drop_column('audio_mode')
        batch.drop_column('video_quality')
    op.drop_table('rendition_sets')
