"""Where the project's files live on disk (no Flask imports, so the worker can use it too).

It must not import Flask; the one thing it creates is the instance folder.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"


def instance_path() -> Path:
    """The instance folder: ``INSTANCE_PATH`` or ``instance/`` beside the project."""
    path = Path(os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
