"""The web layer's wiring: blueprints, template globals and filters, error pages.

Owns registering every view's blueprint and what every template can use (preferences, the page
language, role names, the ``clock`` filter and job messages). Views never import this module;
they render through ``rendering``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from . import errors, page_cache, templating
from .i18n import HTML_LANG, ROLE_NAMES
from .jobs import message_text as job_message_text
from .services import live as live_classes
from .services import preferences
from .services.captions import clock
from .views import (
    account,
    admin,
    auth,
    authoring,
    catalogue,
    certificates,
    employer,
    examiner,
    live,
    main,
    media,
    offline,
    player,
    practical,
    quiz_studio,
    quizzes,
    studio,
    voice,
)

# The largest id a table holds (PostgreSQL's integer; SQLite's is larger): a URL with a larger
# number names nothing, so it is a 404 before the database is asked.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a whole number from 0 to MAX_ID."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app):
    app.url_map.converters["int"] = IdConverter  # before any route is added
    for module in (main, auth, account, catalogue, player, quizzes, certificates, practical,
                   media, offline, live, studio, authoring, quiz_studio, examiner, employer,
                   admin, voice):
        app.register_blueprint(module.bp)

    app.jinja_env.filters["clock"] = clock
    app.jinja_env.globals["live_local"] = lambda moment: live_classes.to_local(
        moment, ZoneInfo(app.config["CLASS_TIME_ZONE"]))
    app.jinja_env.globals["live_zone"] = lambda: app.config["CLASS_TIME_ZONE"]
    app.jinja_env.globals["job_message"] = job_message_text
    templating.init_app(app)
    page_cache.init_app(app)
    errors.init_app(app)

    @app.context_processor
    def _globals():
        prefs = preferences.current(current_user)
        locale = str(get_locale() or "en")
        return {
            "prefs": prefs,
            "html_lang": HTML_LANG.get(locale, locale),
            "locale": locale,
            "languages": app.config["LANGUAGES"],
            "role_labels": ROLE_NAMES,
        }
