"""suggest: every stage of "moments to describe", from a media file to the moments.

Owns the order of the stages (probe, extract, recognise when no word timings are given, gaps,
scene changes, suggestions) and the temporary folder they share. The rules themselves live in
their stages (``gaps``, ``scenes``). Like ``pipeline.caption`` and ``describe``, it never imports
Flask or the database: callers pass files and plain data and get plain data back.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .extract import extract_pcm
from .gaps import find_gaps
from .probe import probe
from .recognise import recognise
from .scenes import scene_changes, suggestions
from .speech_models import find_model
from .words import Word, rejoin

# progress(stage): "probe", then "gaps" (extracting, recognising if needed, finding pauses),
# then "scenes" (looking for changes of picture).
Progress = Callable[[str], None]


@dataclass
class Suggestions:
    has_video: bool
    moments: list[float] = field(default_factory=list)  # seconds, in order
    changes: int = 0  # changes of picture found in all


def suggest(source: str | Path, language: str, *, words: Sequence[Word] | None = None,
            configured_models: dict | None = None,
            progress: Progress | None = None) -> Suggestions:
    """Picture changes in pauses of the speech: moments to consider describing. ``words`` are
    the lesson's timed words when it has captions; without them the speech is recognised."""
    source = Path(source)
    report = progress or (lambda _stage: None)
    report("probe")
    info = probe(source)
    if not info.has_video:
        return Suggestions(has_video=False)
    report("gaps")
    with tempfile.TemporaryDirectory(prefix="suggest-") as tmp:
        wav = extract_pcm(source, Path(tmp) / "audio.wav", duration_s=info.duration_s)
        if words is None:
            words = rejoin(recognise(wav, find_model(language, configured_models).path),
                           language)
        gaps = find_gaps(wav, words, info.duration_s)
    report("scenes")
    changes = scene_changes(source)
    return Suggestions(has_video=True, moments=suggestions(changes, gaps), changes=len(changes))
