"""organisations: employers and their staff; the employer contact role

Revision ID: f7b2d4a50e98
Revises: e6a1c3f49d87
Create Date: 2026-12-03 17:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7b2d4a50e98'
down_revision = 'e6a1c3f49d87'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('learner', 'content', 'examiner', 'admin')"
ROLES_AFTER = "role IN ('learner', 'content', 'examiner', 'admin', 'employer')"


def upgrade():
    op.create_table(
        'organisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
        sa.UniqueConstraint('name', name=op.f('uq_organisations_name')),
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_organisation_id_organisations'),
                                    'organisations', ['organisation_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), ROLES_AFTER)


def downgrade():
    op.execute("UPDATE users SET role = 'learner' WHERE role = 'employer'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), ROLES_BEFORE)
        batch_op.drop_constraint('fk_users_organisation_id_organisations', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))
        batch_op.drop_column('organisation_id')
    op.drop_table('organisations')
