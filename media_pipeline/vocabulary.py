"""The recognition vocabulary of a Vosk model, and splitting written words into its tokens.

Models with a lookahead graph keep their word list as the input symbol table of
``graph/Gr.fst`` (the Korean model's is an OpenFst ``ngram`` FST that generic FST readers refuse;
its header and symbol table are simple to read). Older models ship ``graph/words.txt``.

Owns: reading a model's word list and splitting written words into its tokens. Must not:
recognise audio or hold language facts (``languages``).
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache
from pathlib import Path

from .errors import MediaError

_FST_MAGIC = 2125659606
_SYMBOL_TABLE_MAGIC = 2125658996
_SPECIAL = re.compile(r"^(<.*>|#\d+|!SIL|\[unk\])$")
MAX_TOKEN_CHARS = 12


def _read_fst_symbols(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        def i32():
            return struct.unpack("<i", fh.read(4))[0]

        def i64():
            return struct.unpack("<q", fh.read(8))[0]

        def string():
            return fh.read(i32()).decode("utf-8")

        if i32() != _FST_MAGIC:
            raise MediaError(f"{path.name} is not an OpenFst file.")
        string(), string()  # fst type, arc type
        i32()  # version
        flags = i32()
        fh.read(8 + 8 + 8 + 8)  # properties, start, states, arcs
        if not flags & 1:
            raise MediaError(f"{path.name} has no symbol table.")
        if i32() != _SYMBOL_TABLE_MAGIC:
            raise MediaError(f"{path.name} has an unreadable symbol table.")
        string()  # name
        i64()  # available key
        size = i64()
        symbols = []
        for _ in range(size):
            symbols.append(string())
            i64()
        return symbols


@lru_cache(maxsize=4)
def _symbol_sets(model_path: str) -> tuple[frozenset[str], frozenset[str]]:
    """(words, special symbols such as <eps> and [unk]) of the model's word symbol table."""
    graph = Path(model_path) / "graph"
    words_txt = graph / "words.txt"
    if words_txt.is_file():
        symbols = [line.split()[0] for line in words_txt.read_text("utf-8").splitlines() if line]
    elif (graph / "Gr.fst").is_file():
        symbols = _read_fst_symbols(graph / "Gr.fst")
    else:
        raise MediaError("This model has no readable vocabulary (graph/words.txt or Gr.fst).")
    return (frozenset(s for s in symbols if not _SPECIAL.match(s)),
            frozenset(s for s in symbols if _SPECIAL.match(s)))


@lru_cache(maxsize=4)
def vocabulary(model_path: str) -> frozenset[str]:
    return _symbol_sets(model_path)[0]


def special_symbols(model_path: str) -> frozenset[str]:
    """The symbols ``vocabulary`` leaves out: <eps>, #0…, and ``[unk]`` when the model has an
    unknown-word model (the Korean model has none)."""
    return _symbol_sets(model_path)[1]


_PUNCTUATION = re.compile(r"[^\w]+")


def bare(word: str) -> str:
    """A written word without punctuation, as the recogniser spells it (lower case)."""
    return _PUNCTUATION.sub("", word).lower()


def split_into_tokens(word: str, vocab: frozenset[str]) -> list[str] | None:
    """The fewest vocabulary tokens that spell ``word`` (e.g. 시작하겠습니다 → 시작 하겠습니다),
    or None when no split exists (a word the model cannot recognise)."""
    text = bare(word)
    if not text:
        return []
    best: list[list[str] | None] = [None] * (len(text) + 1)
    best[0] = []
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - MAX_TOKEN_CHARS), end):
            head = best[start]
            piece = text[start:end]
            if head is not None and piece in vocab:
                candidate = [*head, piece]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[-1]
