"""Pages that many learners share, rendered once and kept, with the personal parts filled in.

The catalogue, a course page and a lesson page look the same for every learner who has the same
interface language, role, display preferences and progress. Rendering one takes several
milliseconds (most of a request's time); filling in a kept copy takes a few microseconds. So a
view that opts in gives ``shared_page`` what its page shows of the learner beyond the header (for
a lesson, the progress) and a function that renders the page, and gets the page, rendered at most
once per process for each combination of:

- the address (path and query) and whether htmx asked for a fragment;
- the interface language;
- the content version (``services.content_version``: it changes in the same transaction as any
  change to courses, lessons, captions, descriptions or quizzes, by any process);
- the viewer: signed in or not, the role (it decides the links in the header and on the page)
  and every display preference (they decide classes and the player's settings);
- what the view passes as ``personal``.

Two things differ for every learner and are never kept: the CSRF token and the display name (the
log-out button says whose session it ends). While a page is rendered for keeping, the template
functions ``csrf_token()`` and ``viewer_name()`` write markers instead, and each request fills in
its own values, escaped as Jinja would.

Nothing is kept when the request has flashed messages to show (they are shown once), when
templates reload (debug), when the database has no content version, or when
``PAGE_CACHE_ENTRIES`` is 0. Each application object keeps its own pages (at most
``PAGE_CACHE_ENTRIES``, the least recently used dropped first), so two applications in one
process never share them.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import astuple

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .services import content_version, preferences


class _Store:
    def __init__(self, size: int):
        self.size = size
        self.marker = secrets.token_hex(8)  # a marker no page content can contain by chance
        self.pattern = re.compile(f"\ue000{self.marker}:(\\w+)\ue001")
        self.pages: OrderedDict[tuple, tuple[str, ...]] = OrderedDict()
        self.lock = threading.Lock()
        self.renders = 0  # how many pages were rendered for keeping (for tests and benchmarks)

    def get(self, key: tuple) -> tuple[str, ...] | None:
        with self.lock:
            found = self.pages.get(key)
            if found is not None:
                self.pages.move_to_end(key)
            return found

    def put(self, key: tuple, parts: tuple[str, ...]) -> None:
        with self.lock:
            self.pages[key] = parts
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


def _store() -> _Store:
    app = current_app._get_current_object()
    store = app.extensions.get("page_cache")
    if store is None:
        store = app.extensions["page_cache"] = _Store(app.config.get("PAGE_CACHE_ENTRIES", 500))
    return store


def _hole(name: str, value: Callable[[], str]) -> Markup | str:
    marker = g.get("_page_cache_marker")
    if marker is not None:
        return Markup(f"\ue000{marker}:{name}\ue001")  # noqa: S704 (a marker, no user text)
    return value()


def csrf_token() -> Markup | str:
    """The template function ``csrf_token()``: the token, or its marker in a page being kept."""
    return _hole("csrf_token", generate_csrf)


def viewer_name() -> Markup | str:
    """The signed-in user's display name, or its marker in a page being kept."""
    return _hole("viewer_name", lambda: current_user.display_name)


_VALUES = {"csrf_token": generate_csrf, "viewer_name": lambda: current_user.display_name}


def _viewer() -> tuple:
    signed_in = bool(current_user.is_authenticated)
    return (signed_in, current_user.role if signed_in else None,
            astuple(preferences.current(current_user)))


def _enabled() -> bool:
    app = current_app
    return (app.config.get("PAGE_CACHE_ENTRIES", 500) > 0 and not app.jinja_env.auto_reload
            and not session.get("_flashes"))


def shared_page(render: Callable[[], str], personal: tuple = ()) -> str:
    """The page ``render()`` makes for this request, kept and filled in (see the module)."""
    if not _enabled():
        return render()
    version = content_version.current()
    if version is None:
        return render()
    store = _store()
    key = (request.endpoint, request.full_path, request.headers.get("HX-Request") == "true",
           str(get_locale()), version, _viewer(), personal)
    parts = store.get(key)
    if parts is None:
        g._page_cache_marker = store.marker
        try:
            html = render()
        finally:
            g.pop("_page_cache_marker", None)
        parts = tuple(store.pattern.split(html))
        store.renders += 1
        store.put(key, parts)
    if len(parts) == 1:
        return parts[0]
    filled, values = [], {}
    for index, part in enumerate(parts):
        if index % 2 == 0:
            filled.append(part)
        else:
            if part not in values:
                values[part] = str(escape(_VALUES[part]()))
            filled.append(values[part])
    return "".join(filled)


def init_app(app) -> None:
    """Replace Flask-WTF's ``csrf_token`` (a global and a context variable: this context
    processor runs after Flask-WTF's, so its value is the one templates see)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["viewer_name"] = viewer_name
    app.context_processor(lambda: {"csrf_token": csrf_token})
