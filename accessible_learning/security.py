"""Password hashing, login loading, role checks and security headers."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .extensions import db, login_manager
from .models import LoginSession, User, utcnow

# Argon2id: memory-hard (RFC 9106 second recommended profile: 64 MiB, 3 passes).
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def role_required(*roles: str):
    """Deny by default: anonymous users go to log in, signed-in users without the role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Built once: the loader runs on every request.
_USER_FOR_SESSION = (
    select(User).join(LoginSession, LoginSession.user_id == User.id)
    .options(joinedload(User.preferences))  # read by every page (language, captions)
    .where(User.id == bindparam("user_id"), LoginSession.id == bindparam("session_id"),
           LoginSession.ended_at.is_(None), LoginSession.created_at > bindparam("oldest"))
)


@login_manager.user_loader
def _load_user(user_id: str):
    """The user a session cookie names, if its login session has not ended (by logging out, a
    new password or age). One query, with the user's preferences."""
    from flask import current_app

    key, _, session_id = user_id.partition(":")
    if not key.isdigit() or not session_id:
        return None
    oldest = utcnow() - timedelta(hours=current_app.config["LOGIN_SESSION_HOURS"])
    user = db.session.scalar(_USER_FOR_SESSION, {"user_id": int(key), "session_id": session_id,
                                                 "oldest": oldest})
    if user is not None:
        user.login_session_id = session_id
    return user


def init_app(app):
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.headers.get("HX-Request"):
            response.vary.add("HX-Request")
        return response
