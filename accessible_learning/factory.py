"""Accessible Learning: the application factory (``accessible_learning.create_app``).

It must not be imported by a view, a service or the job queue (``worker`` is the one exception).
"""

from __future__ import annotations

import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import paths
from .config import load_config
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL mode, a busy timeout and foreign keys for every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        timeout = getattr(_sqlite_pragmas, "busy_timeout_ms", 10000)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _sweep_incoming(app) -> None:
    """What a killed server process left of an upload, a day or more ago, goes as the next one
    starts."""
    from .services import media

    with app.app_context():
        try:
            media.sweep_incoming()
        except OSError:  # the media folder is not there yet, or not readable: nothing to sweep
            pass


def create_app(overrides: dict | None = None) -> Flask:
    instance = paths.instance_path()
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(paths.TEMPLATE_DIR),
        static_folder=str(paths.STATIC_DIR),
    )
    app.config.update(load_config(instance))
    if overrides:
        app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A pooled SQLite connection is a file handle that cannot go away: no "ping" on each
        # request's checkout (it stays for PostgreSQL, whose connections can).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "pool_pre_ping": False}
    _sqlite_pragmas.busy_timeout_ms = app.config["SQLITE_BUSY_TIMEOUT_MS"]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(paths.MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)

    from . import i18n, security, static_files, web

    babel.init_app(app, locale_selector=i18n.select_locale)
    security.init_app(app)
    web.init_app(app)
    static_files.init_app(app)

    from .cli import register_cli

    register_cli(app)
    _rate_limits_per_route_only(app)
    _sweep_incoming(app)
    if app.config.get("VOICE_CHECK_AT_STARTUP") and not app.testing and not _cli_command():
        _check_voice_phrases(app)
    return app


def _rate_limits_per_route_only(app: Flask) -> None:
    """Every rate limit here is on a route (``@limiter.limit``), and such a limit is checked
    when its view is called. Flask-Limiter's check before every request applies only default,
    application and blueprint-wide limits, of which there are none, yet it took 6% of the time
    of each signed-in request. Leave it out while there are no such limits (if one is ever
    configured, the check stays)."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or any(
            manager.blueprint_limits(app, name) for name in app.blueprints):
        return
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if not (
        getattr(hook, "__self__", None) is limiter
        and hook.__name__.endswith("check_request_limit"))]


def _cli_command() -> bool:
    """Whether a ``flask`` command other than ``run`` is loading the app (``media describe``,
    ``db upgrade``…): the voice phrase check is for servers, and would only take a second of
    CPU from the command."""
    import click

    context = click.get_current_context(silent=True)
    return context is not None and context.info_name != "run"


def _check_voice_phrases(app: Flask) -> None:
    """Check the voice-command phrases of every installed model against its vocabulary, in the
    background (reading a vocabulary takes about a second), and log what is missing."""
    import threading

    def check() -> None:
        from .services import voice_commands

        with app.app_context():
            try:
                missing = voice_commands.check_installed()
            except Exception:  # a broken model folder must not stop the server
                app.logger.exception("Voice commands: the phrase check failed")
                return
        for language, phrases in missing.items():
            if phrases:
                app.logger.warning("Voice commands (%s): not in the model's vocabulary, so not "
                                   "recognised: %s", language, ", ".join(phrases))
            else:
                app.logger.info("Voice commands (%s): every phrase is in the vocabulary.",
                                language)

    threading.Thread(target=check, name="voice-phrase-check", daemon=True).start()
