"""live classes, their live captions, questions and attendance (issue 28)

Revision ID: a1b2c3d40d27
Revises: f8a9b0c10c26
Create Date: 2026-12-07 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1b2c3d40d27'
down_revision = 'f8a9b0c10c26'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'live_classes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('stream_key', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('recording', sa.String(length=300), nullable=True),
        sa.Column('replay_lesson_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("state IN ('scheduled', 'live', 'ended')",
                           name=op.f('ck_live_classes_state_known')),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_live_classes_course_id_courses')),
        sa.ForeignKeyConstraint(['replay_lesson_id'], ['lessons.id'],
                                name=op.f('fk_live_classes_replay_lesson_id_lessons')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_classes')),
        sa.UniqueConstraint('stream_key', name=op.f('uq_live_classes_stream_key')),
    )
    with op.batch_alter_table('live_classes') as batch:
        batch.create_index(batch.f('ix_live_classes_course_id'), ['course_id'], unique=False)
        batch.create_index(batch.f('ix_live_classes_starts_at'), ['starts_at'], unique=False)
    op.create_table(
        'live_captions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('live_class_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('start', sa.Float(), nullable=False),
        sa.Column('end', sa.Float(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('corrected', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['live_class_id'], ['live_classes.id'],
                                name=op.f('fk_live_captions_live_class_id_live_classes')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_captions')),
        sa.UniqueConstraint('live_class_id', 'number', name='uq_live_captions_class_number'),
    )

    op.create_table(
        'live_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('live_class_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('at_s', sa.Float(), nullable=True),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['live_class_id'], ['live_classes.id'],
                                name=op.f('fk_live_questions_live_class_id_live_classes')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_live_questions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_questions')),
    )
    with op.batch_alter_table('live_questions') as batch:
        batch.create_index(batch.f('ix_live_questions_live_class_id'), ['live_class_id'],
                           unique=False)
    op.create_table(
        'live_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('live_class_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('watched_s', sa.Float(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['live_class_id'], ['live_classes.id'],
                                name=op.f('fk_live_attendance_live_class_id_live_classes')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_live_attendance_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_attendance')),
        sa.UniqueConstraint('live_class_id', 'user_id', name='uq_live_attendance_class_user'),
    )
    with op.batch_alter_table('live_attendance') as batch:
        batch.create_index(batch.f('ix_live_attendance_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('live_attendance')
    op.drop_table('live_questions')
    op.drop_table('live_captions')
    with op.batch_alter_table('live_classes') as batch:
        batch.drop_index(batch.f('ix_live_classes_starts_at'))
        batch.drop_index(batch.f('ix_live_classes_course_id'))
    op.drop_table('live_classes')
