"""The lesson player as small ES modules served as they are: each under 250 lines and saying
what it owns and what it must not do, imported only from beside it (nothing from elsewhere),
and every one preloaded by the lesson page, so that its bytes count in the page weight."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLAYER = ROOT / "static" / "js" / "player"
IMPORT = re.compile(r'^import \{[^}]+\} from "([^"]+)";$', re.M)


def test_each_module_is_small_and_says_what_it_owns():
    modules = sorted(PLAYER.glob("*.js"))
    assert {m.stem for m in modules} >= {"player", "transcript", "descriptions", "chapters",
                                         "voice", "preferences", "progress", "util"}
    for module in modules:
        text = module.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 250, module.name
        opening = text[:text.index("*/")] if text.startswith("/*") else ""
        assert "Owns" in opening or "owns" in opening, module.name
        assert "must not" in opening or "never" in opening, module.name
    assert not (ROOT / "static" / "js" / "player.js").exists()


def test_modules_import_only_each_other_and_the_page_preloads_them_all(client):
    imported = set()
    for module in PLAYER.glob("*.js"):
        for target in IMPORT.findall(module.read_text(encoding="utf-8")):
            assert target.startswith("./") and (PLAYER / target).is_file(), (module.name, target)
            imported.add(target[2:])
    assert imported == {m.name for m in PLAYER.glob("*.js")} - {"player.js"}
    from conftest import login

    login(client, "content")  # staff open every lesson
    html = client.get("/lessons/1").get_data(as_text=True)
    assert '<script type="module" src="/static/js/player/player.js"></script>' in html
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/js/player/([^"]+)">',
                               html))
    assert preloaded == imported
