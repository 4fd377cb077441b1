"""failed log-ins in the database, so that their pauses hold across web processes and machines

Revision ID: d4a8c2e61f37
Revises: c1e7a9d35b22
Create Date: 2026-12-03 20:05:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4a8c2e61f37'
down_revision = 'c1e7a9d35b22'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    op.create_index('ix_login_failures_account_address_at', 'login_failures',
                    ['account', 'address', 'at'])
    op.create_index('ix_login_failures_address_at', 'login_failures', ['address', 'at'])
    op.create_index('ix_login_failures_at', 'login_failures', ['at'])


def downgrade():
    op.drop_index('ix_login_failures_at', table_name='login_failures')
    op.drop_index('ix_login_failures_address_at', table_name='login_failures')
    op.drop_index('ix_login_failures_account_address_at', table_name='login_failures')
    op.drop_table('login_failures')
