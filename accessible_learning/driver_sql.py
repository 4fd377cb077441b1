"""Queries run with the database driver's own cursor.

A few queries run on every signed-in request (who is signed in, the content version, whether a
learner may open a lesson). Through SQLAlchemy's ORM the first took 177 µs above the
connection's own cost, through the driver 20 µs, and the ORM objects are not needed to read a
few columns. These run on the request's session connection and in its transaction, like every
other query of the request.

The SQL is written with ``?`` placeholders and plain SQL that SQLite and PostgreSQL read alike;
for a driver with ``format`` or ``pyformat`` parameters (psycopg), each ``?`` becomes ``%s``.
Values come back as the driver gives them: SQLite gives booleans as 0 or 1 and date-times as
text, so callers convert what they compare (``bool()``; ``timestamp`` below).
Only the queries run on every request belong here; it must not grow into a second data layer.
"""

from __future__ import annotations

from datetime import datetime

from .extensions import db

_FOR_STYLE: dict[tuple[str, str], str] = {}


def _sql(sql: str, paramstyle: str) -> str:
    key = (sql, paramstyle)
    found = _FOR_STYLE.get(key)
    if found is None:
        if paramstyle == "qmark":
            found = sql
        elif paramstyle in ("format", "pyformat"):
            if "%" in sql:
                raise ValueError("no % in driver SQL: it would need escaping for this driver")
            found = sql.replace("?", "%s")
        else:
            raise ValueError(f"driver parameter style {paramstyle!r} is not supported")
        _FOR_STYLE[key] = found
    return found


def _run(sql: str, params: tuple, fetch):
    connection = db.session.connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(_sql(sql, connection.dialect.paramstyle), params)
        return fetch(cursor)
    finally:
        cursor.close()


def fetch_one(sql: str, params: tuple = ()) -> tuple | None:
    """The first row of ``sql`` (None when there is none)."""
    return _run(sql, params, lambda cursor: cursor.fetchone())


def fetch_all(sql: str, params: tuple = ()) -> list[tuple]:
    """Every row of ``sql``."""
    return _run(sql, params, lambda cursor: cursor.fetchall())


def timestamp(value) -> datetime | None:
    """A date-time column's value (SQLite's text, PostgreSQL's ``datetime``) as a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)
