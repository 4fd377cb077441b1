"""captions in several languages: translation tracks, and the learner's caption and transcript
languages (MAUR CC-26, CN-10)

Revision ID: a2b3c4d50622
Revises: f2c6a8e4b310
Create Date: 2026-12-04 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a2b3c4d50622'
down_revision = 'f2c6a8e4b310'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('caption_tracks') as batch:
        batch.add_column(sa.Column('translation', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('preferences') as batch:
        batch.add_column(sa.Column('caption_language', sa.String(length=10), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('transcript_language', sa.String(length=10), nullable=False,
                                   server_default=''))


def downgrade():
    with op.batch_alter_table('preferences') as batch:
        batch.drop_column('transcript_language')
        batch.drop_column('caption_language')
    with op.batch_alter_table('caption_tracks') as batch:
        batch.drop_column('translation')
