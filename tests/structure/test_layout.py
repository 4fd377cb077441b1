"""The tests themselves: in folders by area, sharing helpers through conftest.py only."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
AREAS = {"app", "pipeline", "browser", "structure", "scale"}


def test_every_test_module_is_in_an_area_folder():
    modules = sorted(TESTS.rglob("test_*.py"))
    assert len(modules) > 35
    for path in modules:
        area = path.relative_to(TESTS).parts[0]
        assert area in AREAS, f"{path.relative_to(TESTS)} is not in one of {sorted(AREAS)}"


def test_no_test_module_imports_another():
    """Helpers and fixtures shared by several modules live in a conftest.py."""
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                last = node.module.rsplit(".", 1)[-1]
                assert not last.startswith("test_"), (path.relative_to(TESTS), node.module)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.rsplit(".", 1)[-1].startswith("test_"), path


def test_no_two_test_modules_share_a_name():
    """The area folders are not packages, so pytest imports each module by its name alone: a
    second module of the same name in another folder stops the whole run at collection."""
    names: dict[str, Path] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        assert path.name not in names, (path.relative_to(TESTS),
                                        names[path.name].relative_to(TESTS))
        names[path.name] = path
