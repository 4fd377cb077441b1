"""user search by part of a name or e-mail address through an index: a trigram full-text
table on SQLite, trigram (pg_trgm) indexes on PostgreSQL

On SQLite, ``users_search`` is an FTS5 table with the trigram tokenizer over the users'
e-mail, display name and real name, kept by triggers on ``users``. A later migration that
recreates ``users`` (Alembic's batch mode on SQLite) drops those triggers and must make them
again (``_sqlite_triggers`` below).

Revision ID: b9d4f6c72a10
Revises: a8c3e5b61f09
Create Date: 2026-12-03 18:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b9d4f6c72a10'
down_revision = 'a8c3e5b61f09'
branch_labels = None
depends_on = None

COLUMNS = ("email", "display_name", "real_name")
_ALL = ", ".join(COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in COLUMNS)


def _sqlite_triggers() -> list[str]:
    return [
        "CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN "
        f"INSERT INTO users_search(rowid, {_ALL}) VALUES (new.id, {_NEW}); END",
        "CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN "
        f"INSERT INTO users_search(users_search, rowid, {_ALL}) "
        f"VALUES ('delete', old.id, {_OLD}); END",
        f"CREATE TRIGGER users_search_update AFTER UPDATE OF {_ALL} ON users BEGIN "
        f"INSERT INTO users_search(users_search, rowid, {_ALL}) "
        f"VALUES ('delete', old.id, {_OLD}); "
        f"INSERT INTO users_search(rowid, {_ALL}) VALUES (new.id, {_NEW}); END",
    ]


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE users_search USING fts5({_ALL}, content='users', "
                   "content_rowid='id', tokenize='trigram')")
        for statement in _sqlite_triggers():
            op.execute(statement)
        op.execute("INSERT INTO users_search(users_search) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in COLUMNS:
            op.execute(f"CREATE INDEX ix_users_{column}_trgm ON users "
                       f"USING gin ({column} gin_trgm_ops)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS users_search_{name}")
        op.execute("DROP TABLE IF EXISTS users_search")
    elif dialect == "postgresql":
        for column in COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_users_{column}_trgm")
