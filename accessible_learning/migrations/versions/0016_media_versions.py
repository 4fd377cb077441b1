"""media versions: new media waits for its captions; captions, descriptions and chapters
belong to the media they were made for

Revision ID: a8c3e5b61f09
Revises: f7b2d4a50e98
Create Date: 2026-12-03 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8c3e5b61f09'
down_revision = 'f7b2d4a50e98'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_media_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chapters_media_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_lessons_new_media_id_media_assets'),
                                    'media_assets', ['new_media_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_lessons_chapters_media_id_media_assets'),
                                    'media_assets', ['chapters_media_id'], ['id'])
    for table in ('caption_tracks', 'description_tracks'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('media_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_media_id_media_assets'),
                                        'media_assets', ['media_id'], ['id'])
        # Until now a lesson had one media: everything made for it was made for that one.
        op.execute(f"UPDATE {table} SET media_id = (SELECT media_id FROM lessons "  # noqa: S608
                   f"WHERE lessons.id = {table}.lesson_id)")
    op.execute("UPDATE lessons SET chapters_media_id = media_id WHERE chapters IS NOT NULL")


def downgrade():
    for table in ('description_tracks', 'caption_tracks'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_media_id_media_assets'),
                                     type_='foreignkey')
            batch_op.drop_column('media_id')
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lessons_chapters_media_id_media_assets'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_lessons_new_media_id_media_assets'),
                                 type_='foreignkey')
        batch_op.drop_column('chapters_media_id')
        batch_op.drop_column('new_media_id')
