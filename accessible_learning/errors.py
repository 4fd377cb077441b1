"""Error pages: every error a person can meet, in words a screen reader reads out.

Owns the error handlers (bad form token, 400, 403, 404, 413, 429, a busy database, 500): each
says what went wrong, that nothing saved was lost, and what to do. Log-in and password forms
answer 429 with their own form (``auth.too_many``; the log-in and password-change pauses of
``services.login_limits`` are answered by their views), the player's voice requests with JSON.
It must not change data, except rolling back a failed transaction.
"""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from .extensions import db
from .views import auth


def init_app(app) -> None:
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
        if request.blueprint == "player":
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
