"""Template set-up: fast gettext for templates and fragments kept per interface language.

Owns how templates translate (the request's catalogue looked up once) and ``shortcut_table()``,
the player's shortcut table rendered once per language. It must not import a view.
"""

from __future__ import annotations

from flask import g
from flask_babel import get_translations


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


def init_app(app) -> None:
    _fast_template_gettext(app)
    _fragment_cache(app)
