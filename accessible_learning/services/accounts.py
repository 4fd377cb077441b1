"""Registering and authenticating users.

It must never store or show a password, only its hash.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import LoginSession, PasswordReset, Preferences, User, utcnow
from ..security import hash_password, verify_password
from . import needs as needs_
from .search import contains


class DuplicateEmail(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


USERS_PER_PAGE = 50


def find_users(query: str = "", role: str = "", page: int = 1, per_page: int = USERS_PER_PAGE):
    """One page of the users whose display name, real name or e-mail address contains ``query``
    (and who have ``role``), by name: a Flask-SQLAlchemy ``Pagination`` (``items``, ``total``,
    ``pages``). The page's users only are loaded, however many there are."""
    stmt = select(User)
    query = query.strip()
    if query:
        stmt = stmt.where(_matching(query))
    if role:
        stmt = stmt.where(User.role == role)
    return db.paginate(stmt.order_by(User.display_name, User.id), page=page, per_page=per_page,
                       error_out=False)


# SQLite: the trigram full-text table of migration 0017 finds a part of three characters or
# more through its index (case-insensitively); shorter parts are looked for row by row. On
# PostgreSQL the same ILIKE uses the trigram indexes of that migration.
_USERS_SEARCH = "SELECT rowid FROM users_search WHERE users_search MATCH :phrase"


def _matching(query: str):
    """Users whose display name, real name or e-mail address contains ``query``."""
    if len(query) >= 3 and db.session.get_bind().dialect.name == "sqlite":
        phrase = '"' + query.replace('"', '""') + '"'  # one literal string, never syntax
        return User.id.in_(text(_USERS_SEARCH).bindparams(phrase=phrase))
    return or_(contains(User.display_name, query), contains(User.real_name, query),
               contains(User.email, query))


def register(*, email: str, display_name: str, password: str, real_name: str | None = None,
             needs: list[str] | None = None, language: str = "en", role: str = "learner",
             initial_preferences: dict | None = None) -> User:
    """Create a user with preferences (e.g. what they set as a visitor). Raises DuplicateEmail."""
    if find_by_email(email) is not None:
        raise DuplicateEmail(email)
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        real_name=(real_name or "").strip() or None,
        accessibility_needs=list(needs or []),
        password_hash=hash_password(password),
        role=role,
    )
    # What a visitor set, then what the declared needs turn on (``needs``).
    prefs = dict(initial_preferences or {}, language=language, **needs_.settings_for(needs))
    user.preferences = Preferences(**prefs)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent registration with the same e-mail
        db.session.rollback()
        raise DuplicateEmail(email) from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)  # same work whether or not the account exists
        return None
    return user if verify_password(user.password_hash, password) else None


@cache
def _dummy_hash() -> str:
    """Made at the first log-in for an unknown address, not at import (it takes 0.2 s)."""
    return hash_password("not-a-real-password")


def update_profile(user: User, display_name: str, real_name: str | None,
                   needs: list[str] | None) -> None:
    user.display_name = display_name.strip()
    user.real_name = (real_name or "").strip() or None
    user.accessibility_needs = list(needs or [])
    db.session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_reset_secret() -> tuple[str, str]:
    """A reset link's secret and the hash stored for it (for links made in bulk)."""
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token)


def make_reset_link(user: User, made_by: User, hours: float) -> tuple[str, PasswordReset]:
    """A new one-time secret for ``user`` to set a new password, valid for ``hours``. Links
    made before for the same user stop working. Returns the secret (shown once, never stored)
    and the row."""
    now = utcnow()
    db.session.execute(update(PasswordReset)
                       .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now))
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_hash=_token_hash(token), created_by_id=made_by.id,
                          created_at=now, expires_at=now + timedelta(hours=hours))
    db.session.add(reset)
    db.session.commit()
    return token, reset


def find_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset that ``token`` opens, or None."""
    if not token or len(token) > 100:
        return None
    reset = db.session.scalar(select(PasswordReset)
                              .where(PasswordReset.token_hash == _token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(reset: PasswordReset, password: str) -> bool:
    """Set the new password and use up the link, once: False when the link was used (or
    replaced) meanwhile. Every login session of the user ends."""
    now = utcnow()
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None),
               PasswordReset.expires_at > now)
        .values(used_at=now))
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    reset.user.password_hash = hash_password(password)
    end_sessions(reset.user_id, now)
    db.session.commit()
    return True


def change_password(user: User, current: str, new: str) -> bool:
    """Change the password if ``current`` is right; every other login session of the user
    ends, the one it is changed from stays."""
    if not verify_password(user.password_hash, current):
        return False
    user.password_hash = hash_password(new)
    end_sessions(user.id, utcnow(), keep=user.login_session_id)
    db.session.commit()
    return True


def start_session(user: User) -> None:
    """A new login session for ``user``, named by ``user.get_id()`` from now on (call before
    Flask-Login's ``login_user``). The user's sessions that ended more than a day ago, or are
    past ``LOGIN_SESSION_HOURS`` (left without logging out), are removed: each account keeps
    only the rows of its recent log-ins."""
    from flask import current_app

    now = utcnow()
    too_old = now - timedelta(hours=current_app.config["LOGIN_SESSION_HOURS"])
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        or_(LoginSession.ended_at < now - timedelta(days=1), LoginSession.created_at < too_old)))
    session_id = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=session_id, user_id=user.id, created_at=now))
    db.session.commit()
    user.login_session_id = session_id


def end_session(user: User) -> None:
    """Log out: the session cookie, or any copy of it, no longer logs anyone in."""
    db.session.execute(update(LoginSession)
                       .where(LoginSession.id == user.login_session_id,
                              LoginSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))
    db.session.commit()


def end_sessions(user_id: int, now, keep: str | None = None) -> None:
    """End every login session of the user (but ``keep``); the caller commits."""
    query = update(LoginSession).where(LoginSession.user_id == user_id,
                                       LoginSession.ended_at.is_(None))
    if keep:
        query = query.where(LoginSession.id != keep)
    db.session.execute(query.values(ended_at=now))
