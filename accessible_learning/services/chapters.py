"""A lesson's chapters: written by the content team one a line ("2:05 Measuring the waist"),
stored as a WebVTT chapters track, shown by the player as a list that seeks.

It must not decide access.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

import webvtt
from flask_babel import gettext as _

from media_pipeline.captions import parse_webvtt, plain_text, timestamp

from ..extensions import db
from ..models import Lesson
from .captions import DisplayCue, clock, parse_time

MAX_CHAPTERS = 100
MAX_TITLE = 120


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


def parse_lines(text: str, duration: float) -> tuple[list[tuple[float, str]], list[LineError]]:
    """``(start, title)`` pairs from lines of "time title", and every line's error."""
    chapters: list[tuple[float, str]] = []
    errors: list[LineError] = []
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if len(lines) > MAX_CHAPTERS:
        return [], [LineError(lines[MAX_CHAPTERS][0],
                              _("A lesson can have at most %(count)s chapters.",
                                count=MAX_CHAPTERS))]
    for number, line in lines:
        time_text, _sep, title = line.partition(" ")
        title = " ".join(title.split())
        try:
            start = parse_time(time_text)
        except ValueError:
            errors.append(LineError(number, _("“%(time)s” is not a time. Start the line with a "
                                              "time such as 2:05.", time=time_text[:20])))
            continue
        if not title:
            errors.append(LineError(number, _("The chapter has no title after its time.")))
        elif len(title) > MAX_TITLE:
            errors.append(LineError(number, _("The title is longer than %(count)s characters.",
                                              count=MAX_TITLE)))
        elif start >= duration:
            errors.append(LineError(number, _("%(time)s is after the end of the video (%(end)s).",
                                              time=clock(start), end=clock(duration))))
        elif chapters and start <= chapters[-1][0]:
            errors.append(LineError(number, _("Chapters must be in time order; this one starts "
                                              "before or with the one above.")))
        else:
            chapters.append((start, title))
    return chapters, errors


def to_vtt(chapters: list[tuple[float, str]], duration: float) -> str:
    """A WebVTT chapters track: each chapter lasts until the next one starts."""
    vtt = webvtt.WebVTT()
    ends = [start for start, _title in chapters[1:]] + [duration]
    for (start, title), end in zip(chapters, ends, strict=True):
        vtt.captions.append(webvtt.Caption(timestamp(start), timestamp(end),
                                           [html.escape(title, quote=False)]))
    return vtt.content


def save(lesson: Lesson, text: str) -> list[LineError]:
    """Replace the lesson's chapters (none when ``text`` is empty); nothing changes on error."""
    duration = lesson.media.duration_s if lesson.media and lesson.media.duration_s else None
    if duration is None:
        return [LineError(0, _("Upload the lesson's video before giving it chapters."))]
    chapters, errors = parse_lines(text, duration)
    if errors:
        return errors
    lesson.chapters = to_vtt(chapters, duration) if chapters else None
    lesson.chapters_media_id = lesson.media_id if chapters else None
    db.session.commit()
    return []


def shown(lesson: Lesson) -> str | None:
    """The chapters track learners get: only when written for the lesson's media."""
    return lesson.chapters if lesson.chapters and lesson.chapters_fit else None


def for_display(lesson: Lesson) -> list[DisplayCue]:
    if not shown(lesson):
        return []
    return list(_display(lesson.chapters))


@lru_cache(maxsize=64)
def _display(chapters_vtt: str) -> tuple[DisplayCue, ...]:
    """Parsed once per distinct text (keyed by the text itself, so edits show at once)."""
    return tuple(DisplayCue(c.start, c.end, " ".join(plain_text(c.text).split()))
                 for c in parse_webvtt(chapters_vtt))


def as_lines(lesson: Lesson) -> str:
    return "\n".join(f"{c.start_label} {c.text}" for c in for_display(lesson))
