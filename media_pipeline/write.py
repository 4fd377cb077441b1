"""write: a lesson's plain transcript, the JSON with every word's timing, and atomic file writes.

Owns: ``to_transcript`` (paragraphs at the speaker's pauses, words joined as the language is
written), ``to_json`` and ``atomic_write`` (never a half-written output file).
Must not: format caption files — WebVTT and SRT are written and read in ``captions`` —, hold
language facts (``languages``), or decide cue times (``segment``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .captions import Cue, timestamp
from .words import Word, join_text


def atomic_write(path: str | Path, text: str) -> Path:
    """Write to a temporary name in the same folder, then rename: never a half-written file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def to_transcript(groups: list[list[Word]], language: str, paragraph_pause: float = 1.5) -> str:
    """Plain text, a paragraph wherever the speaker paused for paragraph_pause seconds."""
    paragraphs: list[list[str]] = []
    previous_end = None
    for group in groups:
        text = join_text([w.text for w in group], language)
        if previous_end is None or group[0].start - previous_end >= paragraph_pause:
            paragraphs.append([text])
        else:
            paragraphs[-1].append(text)
        previous_end = group[-1].end
    return "\n\n".join(join_text(p, language) for p in paragraphs) + "\n"


def to_json(words: list[Word], cues: list[Cue], language: str, extra: dict | None = None) -> str:
    data = {
        "language": language,
        "words": [w.as_dict() for w in words],
        "cues": [{"start": timestamp(c.start), "end": timestamp(c.end), "text": c.text}
                 for c in cues],
        **(extra or {}),
    }
    return json.dumps(data, ensure_ascii=False, indent=1)
