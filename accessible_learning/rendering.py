"""Rendering for views: a page or its htmx fragment, and the page number of a long list.

Owns the rule that a request from htmx gets the fragment (a partial shared with the page) and
any other request the whole page, so that every address works without JavaScript; and reading
and checking a list's ``page`` argument. It must not import a view or a service.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext


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
