"""One place for each rule: views ask ``access`` who may see a thing and never touch the
database session (services end their transactions); a media route decides nothing itself."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWS = sorted((ROOT / "accessible_learning" / "views").glob("*.py"))


def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_views_never_touch_the_session_nor_query():
    assert len(VIEWS) >= 13
    for path in VIEWS:
        names = {node.id for node in ast.walk(ast.parse(_source(path)))
                 if isinstance(node, ast.Name)}
        assert "db" not in names, f"{path.name} uses the database directly"
        assert "select" not in names, f"{path.name} runs its own query"


def test_views_load_checked_resources_only_through_access():
    """No view writes its own checked loader (a ``_thing(id)`` that aborts with 404): the
    lesson, quiz, attempt, submission, certificate, course, question, user and media loaders
    are ``access.*_or_404``."""
    for path in VIEWS:
        tree = ast.parse(_source(path))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("_"):
                continue
            aborts = any(isinstance(call, ast.Call) and getattr(call.func, "id", "") == "abort"
                         for call in ast.walk(node))
            loads = node.args.args and node.args.args[0].arg.endswith("_id")
            assert not (aborts and loads), f"{path.name}: {node.name} is a loader of its own"


def test_services_do_not_decide_access():
    services = sorted((ROOT / "accessible_learning" / "services").glob("*.py"))
    for path in services:
        text = _source(path)
        for name in ("def can_study", "def can_view_lesson", "def can_examine", "def viewable",
                     "def attempt_for", "def visible_course", "def lesson_access"):
            assert name not in text, f"{path.name} decides access ({name})"
