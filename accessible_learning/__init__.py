"""Accessible Learning: the Flask application, built by ``create_app`` (``factory``).

The package itself imports nothing, so ``flask media caption`` imports only what it needs and
never the application's own modules (Flask-SQLAlchemy, Alembic and the rest, about 0.4 s);
see ``media_commands``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict | None = None) -> Flask:
    """The application (``flask --app accessible_learning``, gunicorn, the job worker)."""
    from .factory import create_app as build

    return build(overrides)
