"""Caption cues and WebVTT reading/writing (through webvtt-py)."""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedFileError

from .errors import MediaError


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str


def _is_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in {"W", "F"} for ch in text)


def max_line_chars(text: str) -> int:
    """DESIGN.md §4: 16 characters a line for Chinese, Japanese and Korean, 42 otherwise."""
    return 16 if _is_cjk(text) else 42


def wrap(text: str, width: int | None = None, max_lines: int = 2) -> list[str]:
    """Break text into at most ``max_lines`` balanced lines at spaces, never inside a word.

    Returns the lines; a text too long for ``max_lines`` lines comes back in more lines, so that
    the caller (the segmenter) can see it must split the cue.
    """
    width = width or max_line_chars(text)
    words = text.split()
    if not words:
        return []
    if len(text) <= width:
        return [" ".join(words)]
    # Balanced two-line split: the break that minimises the longer line.
    if max_lines == 2:
        best = None
        for i in range(1, len(words)):
            first, second = " ".join(words[:i]), " ".join(words[i:])
            longest = max(len(first), len(second))
            if longest <= width and (best is None or longest < best[0]):
                best = (longest, [first, second])
        if best:
            return best[1]
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and len(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def timestamp(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_webvtt(cues: list[Cue]) -> str:
    vtt = webvtt.WebVTT()
    for cue in cues:
        given = cue.text.split("\n") if "\n" in cue.text else wrap(cue.text)
        lines = [html.escape(line, quote=False) for line in given]
        vtt.captions.append(webvtt.Caption(timestamp(cue.start), timestamp(cue.end), lines))
    return vtt.content


def parse_webvtt(text: str) -> list[Cue]:
    """Read WebVTT text into cues; a malformed file raises MediaError saying why."""
    try:
        vtt = webvtt.from_buffer(io.StringIO(text))
    except (MalformedFileError, ValueError) as exc:
        raise MediaError(f"The caption file is not valid WebVTT: {exc}") from exc
    return [
        Cue(_seconds(c.start), _seconds(c.end), "\n".join(c.lines))
        for c in vtt.captions
    ]


def _seconds(stamp: str) -> float:
    hms, _, millis = stamp.partition(".")
    parts = [int(p) for p in hms.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, secs = parts
    return hours * 3600 + minutes * 60 + secs + int(millis or 0) / 1000


_TAG = re.compile(r"<[^>]*>")


def plain_text(cue_text: str) -> str:
    """Cue text without WebVTT markup and with entities decoded, for transcripts."""
    return html.unescape(_TAG.sub("", cue_text))
