"""Registering and authenticating users."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Preferences, User
from ..security import hash_password, verify_password


class DuplicateEmail(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


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
    prefs = dict(initial_preferences or {}, language=language)
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
        verify_password(_DUMMY_HASH, password)  # same work whether or not the account exists
        return None
    return user if verify_password(user.password_hash, password) else None


_DUMMY_HASH = hash_password("not-a-real-password")


def update_profile(user: User, display_name: str, real_name: str | None,
                   needs: list[str] | None) -> None:
    user.display_name = display_name.strip()
    user.real_name = (real_name or "").strip() or None
    user.accessibility_needs = list(needs or [])
    db.session.commit()
