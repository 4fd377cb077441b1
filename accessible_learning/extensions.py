"""Flask extensions, created once and bound in the application factory.

It must not import the models or any view.
"""

from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so that Alembic migrations work on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Pages, CSS and JS are sent compressed (gzip, Brotli or Zstandard, as the browser accepts):
# learners on slow connections download a quarter of the bytes. Media is never compressed.
compress = Compress()


def user_key() -> str:
    """Rate limits count per signed-in user, else per address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{request.remote_addr}"


def address_key() -> str:
    return f"address:{request.remote_addr}"


# Limits are set per route; storage from RATELIMIT_STORAGE_URI (memory, or Redis when several
# machines share the work).
limiter = Limiter(key_func=user_key, default_limits=[])
