"""The shape of the code: no import cycle in the application, and a pipeline that never
imports Flask.

Every import counts, at the top of a module or deferred inside a function: a deferred import
that closes a cycle still ties the two modules together (the issue was "nobody owns the
queue"). Only imports under ``if TYPE_CHECKING:`` would be exempt, and there are none."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "accessible_learning"


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.relative_to(ROOT).parts:
            continue  # Alembic's scripts, loaded by Alembic, not imported
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph(package: str = PACKAGE) -> dict[str, set[str]]:
    """Module → the modules of the package it imports (``from x import name`` counts as an
    import of the submodule ``x.name`` when there is one, else of ``x``)."""
    modules = _modules(package)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = here[:len(here) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                targets = subs + ([base] if len(subs) < len(node.names) else [])
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_application_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 60  # every module was read
    assert "accessible_learning.jobs.queue" in graph["accessible_learning.worker"]
    found = cycles(graph)
    detail = "\n".join(
        " ↔ ".join(c) + "".join(f"\n    {m} imports {sorted(graph[m] & set(c))}" for m in c)
        for c in found)
    assert not found, f"import cycles:\n{detail}"


def test_no_view_imports_the_web_wiring_and_only_the_worker_builds_the_app_for_jobs():
    graph = import_graph()
    for name, imported in graph.items():
        if name.startswith(f"{PACKAGE}.views."):
            assert f"{PACKAGE}.web" not in imported, name
        if name.startswith(f"{PACKAGE}.jobs"):
            assert not {f"{PACKAGE}.factory", PACKAGE} & imported, name
    assert [name for name, imported in graph.items()
            if f"{PACKAGE}.worker" in imported] == []


def test_every_module_says_what_it_owns_and_what_it_must_not_do():
    """A docstring at the top of every module of the application and the pipeline, with what
    the module must not (or never) do."""
    missing = []
    for package in (PACKAGE, "media_pipeline"):
        for name, path in _modules(package).items():
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if len(doc) < 40 or not ("must not" in doc.lower() or "never" in doc.lower()):
                missing.append(name)
    assert not missing, f"modules without a docstring that says what they must not do: {missing}"
