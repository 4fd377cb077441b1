"""The Simplified Chinese catalogue covers every interface string, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "accessible_learning" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
POT = ROOT / "accessible_learning" / "translations" / "messages.pot"  # for new languages
PLACEHOLDER = re.compile(r"%\(\w+\)[-.\d]*[sdf]")


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_every_interface_string_is_translated_to_chinese(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run([pybabel, "extract", "--no-location", "-F", "babel.cfg", "-k", "_l",
                    "-k", "N_plural:1,2", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    extracted = read_po(pot.open("rb"))
    chinese = read_po(PO.open("rb"))
    missing = _ids(extracted) - _ids(chinese)
    assert not missing, f"add these to the zh catalogue: {sorted(missing)}"
    # The template a translator starts a new language from holds exactly today's strings.
    assert _ids(read_po(POT.open("rb"))) == _ids(extracted), "run: make translations-template"
    for message in chinese:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert target, f"untranslated: {source!r}"
        assert "fuzzy" not in message.flags, source
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source
