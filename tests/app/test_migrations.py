"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from accessible_learning import create_app
from accessible_learning.extensions import db


def include_name(name, type_, _parent_names):
    """As migrations/env.py: the user search's full-text tables (0017) have no model."""
    return not (type_ == "table" and name and name.startswith("users_search"))


def test_migrations_match_the_models_and_downgrade_cleanly(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "MEDIA_ROOT": str(tmp_path / "media")})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "render_as_batch": True, "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names())
        assert tables <= {"alembic_version"}
        db.engine.dispose()
