"""sign-language videos of a lesson, each made for one media, and the learner's sign-language
choices (MAUR SL-1 … SL-5)

Revision ID: b3c4d5e60723
Revises: c4d5e6f70824
Create Date: 2026-12-04 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3c4d5e60723'
down_revision = 'c4d5e6f70824'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_videos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=False),
        sa.Column('media_id', sa.Integer(), nullable=False),
        sa.Column('asset_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=3), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['asset_id'], ['media_assets.id'],
                                name=op.f('fk_sign_videos_asset_id_media_assets')),
        sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'],
                                name=op.f('fk_sign_videos_lesson_id_lessons')),
        sa.ForeignKeyConstraint(['media_id'], ['media_assets.id'],
                                name=op.f('fk_sign_videos_media_id_media_assets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_videos')),
        sa.UniqueConstraint('lesson_id', 'media_id', 'language',
                            name='uq_sign_videos_lesson_media_language'),
    )
    with op.batch_alter_table('sign_videos') as batch:
        batch.create_index(batch.f('ix_sign_videos_lesson_id'), ['lesson_id'], unique=False)
    with op.batch_alter_table('preferences') as batch:
        batch.add_column(sa.Column('sign_on', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('sign_language', sa.String(length=3), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('sign_layout', sa.String(length=6), nullable=False,
                                   server_default='over'))
        batch.add_column(sa.Column('sign_corner', sa.String(length=12), nullable=False,
                                   server_default='bottom-right'))
        batch.add_column(sa.Column('sign_size', sa.String(length=6), nullable=False,
                                   server_default='medium'))


def downgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.drop_column('sign_size')
        batch.drop_column('sign_corner')
        batch.drop_column('sign_layout')
        batch.drop_column('sign_language')
        batch.drop_column('sign_on')
    with op.batch_alter_table('sign_videos') as batch:
        batch.drop_index(batch.f('ix_sign_videos_lesson_id'))
    op.drop_table('sign_videos')
