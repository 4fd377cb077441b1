"""Blueprints, template helpers and error pages."""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import get_locale, get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from . import page_cache
from .i18n import HTML_LANG, ROLE_NAMES
from .services import preferences


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page(page: str, fragment: str | None = None, **context):
    """A request from htmx gets the fragment (a partial shared with the page), others the page."""
    if fragment and is_htmx():
        return render_template(fragment, **context)
    return render_template(page, **context)


def page_number() -> int | None:
    """The ``page`` argument of a long list's address: 1 when there is none, None when it is not
    a whole number from 1 to 999,999,999."""
    raw = request.args.get("page", "1").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        return None
    return int(raw)


def list_problems(page: int | None, pages: int | None) -> list[str]:
    """What is wrong with the page asked for of a list of ``pages`` pages (None: not counted)."""
    if page is None:
        return [_("The page number must be a whole number of 1 or more.")]
    if pages is not None and page > max(pages, 1):
        return [ngettext("There is no page %(page)d: the list has %(num)d page.",
                         "There is no page %(page)d: the list has %(num)d pages.",
                         max(pages, 1), page=page)]
    return []


def template_translations():
    """The request's translations, looked up once per request (kept in ``g``)."""
    found = getattr(g, "_template_translations", None)
    if found is None:
        found = g._template_translations = get_translations()
    return found


def _fast_template_gettext(app) -> None:
    """Templates look the request's translations up once, not on each of the hundred or so
    strings of a page (Flask-Babel's callables resolve locale and domain on every call).

    ``_``, ``gettext`` and ``ngettext`` do what Jinja's newstyle callables do (translate, mark
    safe when autoescaping, then fill in the variables with escaping), in one call instead of
    three nested ``Context.call``s for each string."""
    from jinja2 import pass_context
    from markupsafe import Markup

    translations = template_translations

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )

    @pass_context
    def gettext(__context, __string, **variables):
        rv = translations().ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 (our own catalogue, as Jinja does)
        return rv % variables

    @pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        rv = translations().ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 (our own catalogue, as Jinja does)
        return rv % variables

    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)


def _fragment_cache(app) -> None:
    """``shortcut_table()``: the player's keyboard shortcuts as HTML, rendered once per interface
    language and kept for the life of the process. It is the same for every user and every lesson:
    it depends only on ``player_help.SHORTCUTS`` (a constant), the template and the translation
    catalogues, none of which changes while the server runs. (With template auto-reload, as in
    debug mode, it is rendered afresh each time so that edits show at once.)"""
    from flask import current_app
    from markupsafe import Markup

    from .i18n import per_locale
    from .services.player_help import SHORTCUTS

    def render() -> Markup:
        template = current_app.jinja_env.get_template("catalogue/_shortcuts.html")
        return Markup(template.render(shortcuts=SHORTCUTS))  # noqa: S704 (autoescaped)

    kept = per_locale(render)

    def shortcut_table() -> Markup:
        return render() if current_app.jinja_env.auto_reload else kept()

    app.jinja_env.globals["shortcut_table"] = shortcut_table


def init_app(app):
    from .views import (
        account,
        admin,
        auth,
        catalogue,
        certificates,
        examiner,
        main,
        media,
        player,
        practical,
        quiz_studio,
        quizzes,
        studio,
    )

    for module in (main, auth, account, catalogue, player, quizzes, certificates, practical,
                   media, studio, quiz_studio, examiner, admin):
        app.register_blueprint(module.bp)

    from .services.captions import clock
    from .services.jobs import message_text as job_message_text

    app.jinja_env.filters["clock"] = clock
    app.jinja_env.globals["job_message"] = job_message_text
    _fast_template_gettext(app)
    _fragment_cache(app)
    page_cache.init_app(app)

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

    def _error(code: int, title: str, message: str):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf(_error_):
        return _error(
            400,
            _("The form could not be sent"),
            _("The form was missing its security token or the token was wrong, so nothing was "
              "saved. This happens when a page is left open for a long time or a form is sent "
              "from another site. Go back, reload the page and send the form again."),
        )

    @app.errorhandler(400)
    def _bad_request(_error_):
        return _error(400, _("Bad request"),
                      _("The request could not be understood. Go back and try again."))

    @app.errorhandler(403)
    def _forbidden(_error_):
        return _error(403, _("You do not have access to this page"),
                      _("Your account does not have the role this page needs. If you think it "
                        "should, ask an administrator."))

    @app.errorhandler(404)
    def _not_found(_error_):
        return _error(404, _("Page not found"),
                      _("There is no page at this address. Check the address, or go to the "
                        "course catalogue."))

    @app.errorhandler(413)
    def _too_large(_error_):
        return _error(413, _("The file is too large"),
                      _("The upload is larger than this server accepts. Nothing was saved. "
                        "Choose a smaller file."))

    @app.errorhandler(429)
    def _too_many(_error_):
        if request.endpoint in ("auth.login", "auth.register", "auth.reset_password"):
            return auth.too_many(_error_)
        if request.endpoint == "account.change_password":
            return account.too_many(_error_)
        if request.blueprint == "player":
            from flask import jsonify

            message = _("Too many voice commands in a short time. Wait a minute and try again; "
                        "the buttons and keyboard shortcuts still work.")
            return jsonify(error=message), 429
        return _error(429, _("Too many requests"),
                      _("Too many requests came from you in a short time. Wait a minute and try "
                        "again. Nothing was lost."))

    @app.errorhandler(OperationalError)
    def _database_unavailable(error):
        """A database locked for longer than the busy timeout, or briefly unreachable: nothing
        of the request was written (the transaction is rolled back); say so and when to retry."""
        from flask import jsonify

        from .extensions import db

        db.session.rollback()
        app.logger.warning("database unavailable during %s %s: %s", request.method,
                           request.path, error.orig)
        message = _("The database is busy or briefly unavailable, so nothing was saved. Wait a "
                    "few seconds, then try again.")
        headers = {"Retry-After": "5"}
        if request.is_json or (request.blueprint == "player" and request.method == "POST"):
            return jsonify(error=message), 503, headers
        try:
            return (*_error(503, _("Please try again in a moment"), message), headers)
        except OperationalError:  # the page itself needs the database (the signed-in user)
            db.session.rollback()
            return message, 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(500)
    def _server_error(_error_):
        return _error(500, _("Something went wrong on our side"),
                      _("Nothing you saved before was lost. Try again in a moment."))
