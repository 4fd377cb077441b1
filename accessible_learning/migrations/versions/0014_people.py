"""people: accounts can be disabled; an audit log of administrators' changes to accounts; a
certificate outlives its holder's account

Revision ID: e6a1c3f49d87
Revises: d5f0b2e38c76
Create Date: 2026-12-03 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6a1c3f49d87'
down_revision = 'd5f0b2e38c76'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint('fk_certificates_user_id_users', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_certificates_user_id_users'), 'users',
                                    ['user_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.CheckConstraint("action IN ('role', 'disable', 'enable', 'delete', 'organisation')",
                           name=op.f('ck_audit_log_action_known')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['target_id'], ['users.id'],
                                name=op.f('fk_audit_log_target_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
    op.drop_table('audit_log')
    op.execute("DELETE FROM certificates WHERE user_id IS NULL")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('fk_certificates_user_id_users', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_certificates_user_id_users'), 'users',
                                    ['user_id'], ['id'], ondelete='CASCADE')
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('disabled_at')
