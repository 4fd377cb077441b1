"""Interface language: the user's preference, then the session, then the browser.

It must not translate media errors (those stay in English).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ROLE_NAMES = {
    "learner": _l("Learner"),
    "content": _l("Content team"),
    "examiner": _l("Examiner"),
    "admin": _l("Administrator"),
    "employer": _l("Employer contact"),
}

T = TypeVar("T")


def per_locale(make: Callable[[], T]) -> Callable[[], T]:
    """``make()`` once per interface language, then kept for the life of the process: for
    translated things that are the same for every user (the catalogues do not change while the
    server runs)."""
    made: dict[str, T] = {}

    @wraps(make)
    def kept() -> T:
        locale = str(get_locale() or "en")
        if locale not in made:
            made[locale] = make()
        return made[locale]

    return kept


# Babel locale -> BCP 47 tag for the lang attribute
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a flask command or a job: English
        return "en"
    if current_user and current_user.is_authenticated and current_user.preferences:
        if current_user.preferences.language in languages:
            return current_user.preferences.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(list(languages)) or "en"
