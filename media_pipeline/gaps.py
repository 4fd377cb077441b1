"""gaps: the pauses in a lesson's speech where audio description can be spoken.

A gap must be silent and free of words: the silences that silence detection finds (ffmpeg
``silencedetect``), minus the time of every recognised word (the captioning pipeline's words)
with a margin either side. Words alone are not enough: recognition leaves holes inside
sentences where a syllable was not matched (measured on the synthetic lectures: between-word
holes overlapped 1–3 sentences of each lecture), while silence alone would take a pause in the
middle of a word, or a quiet word, for a gap. A lesson with a music bed under its speech has few
silences, so its descriptions tend to become extended ones (the picture pauses for them).

Owns: finding description gaps from silences and words. Must not: place descriptions
(``place``), synthesise, or know about languages.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path

from .place import Gap
from .recognise import silences
from .words import Word

MARGIN_S = 0.1  # kept clear of every word on each side


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def speech_gaps(words: Sequence[Word], quiet: Sequence[tuple[float, float]], duration: float,
                *, min_length: float = 0.0) -> list[Gap]:
    """The silences in ``quiet`` with the words' times (and MARGIN_S either side) taken out,
    each at least ``min_length`` long."""
    speech = _merged([(w.start - MARGIN_S, w.end + MARGIN_S) for w in words])
    starts = [s for s, _ in speech]
    gaps: list[Gap] = []
    for silence_start, silence_end in sorted(quiet):
        cursor, end = max(0.0, silence_start), min(duration, silence_end)
        # the first speech span that may reach into this silence
        k = max(0, bisect_left(starts, cursor) - 1)
        while cursor < end:
            if k < len(speech) and speech[k][0] < end:
                a, b = speech[k]
                if b <= cursor:
                    k += 1
                    continue
                piece_end = min(a, end)
                k += 1
            else:
                a, b, piece_end = end, end, end
            if piece_end - cursor >= max(min_length, 1e-3):
                gaps.append(Gap(round(cursor, 3), round(piece_end, 3)))
            cursor = max(cursor, b)
    return gaps


def find_gaps(wav_path: str | Path, words: Sequence[Word], duration: float, *,
              min_length: float = 0.0) -> list[Gap]:
    """Speech gaps of a 16 kHz mono WAV whose words are known."""
    return speech_gaps(words, silences(Path(wav_path)), duration, min_length=min_length)
