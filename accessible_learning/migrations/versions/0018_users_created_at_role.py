"""indexes for counting users at scale: (created_at, role), over whose ranges the reports count
registrations a month, and a partial index on the role of users who are not learners, by which
the administration counts the staff by role (the learners are all the others)

Revision ID: c1e7a9d35b22
Revises: b9d4f6c72a10
Create Date: 2026-12-03 19:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c1e7a9d35b22'
down_revision = 'b9d4f6c72a10'
branch_labels = None
depends_on = None

STAFF_ONLY = sa.text("role != 'learner'")


def upgrade():
    op.create_index("ix_users_created_at_role", "users", ["created_at", "role"])
    op.create_index("ix_users_staff_role", "users", ["role"], sqlite_where=STAFF_ONLY,
                    postgresql_where=STAFF_ONLY)


def downgrade():
    op.drop_index("ix_users_staff_role", table_name="users")
    op.drop_index("ix_users_created_at_role", table_name="users")
