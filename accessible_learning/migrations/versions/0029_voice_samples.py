"""a learner's own recordings of voice commands, kept with their consent (issue 27)

Revision ID: c3d4e5f60f29
Revises: b2c3d4e50e28
Create Date: 2026-12-07 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3d4e5f60f29'
down_revision = 'b2c3d4e50e28'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'voice_samples',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('command', sa.String(length=30), nullable=False),
        sa.Column('args', sa.JSON(), nullable=False),
        sa.Column('phrase', sa.String(length=60), nullable=False),
        sa.Column('pcm', sa.LargeBinary(), nullable=False),
        sa.Column('consented_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_voice_samples_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_samples')),
    )
    op.create_index(op.f('ix_voice_samples_user_id'), 'voice_samples', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_voice_samples_user_id'), table_name='voice_samples')
    op.drop_table('voice_samples')
