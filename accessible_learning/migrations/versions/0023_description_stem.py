"""audio description as its own stem, mixed in the player, and the learner's two volumes
(MAUR DV-6, DV-9, CA-1–3; issue 26)

Revision ID: c4d5e6f70824
Revises: a2b3c4d50622
Create Date: 2026-12-04 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4d5e6f70824'
down_revision = 'a2b3c4d50622'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('description_tracks') as batch:
        batch.add_column(sa.Column('stem_media_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_description_tracks_stem_media_id_media_assets'),
                                 'media_assets', ['stem_media_id'], ['id'])
    with op.batch_alter_table('preferences') as batch:
        batch.add_column(sa.Column('description_volume', sa.Integer(), nullable=False,
                                   server_default='100'))
        batch.add_column(sa.Column('programme_volume', sa.Integer(), nullable=False,
                                   server_default='100'))


def downgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.drop_column('programme_volume')
        batch.drop_column('description_volume')
    with op.batch_alter_table('description_tracks') as batch:
        batch.drop_constraint(op.f('fk_description_tracks_stem_media_id_media_assets'),
                              type_='foreignkey')
        batch.drop_column('stem_media_id')
