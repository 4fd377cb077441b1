"""A lesson's transcript: what is said and what is described, searchable and as plain text.

It must not decide access.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..models import Lesson
from . import captions, descriptions
from .descriptions import TranscriptItem

MAX_QUERY = 100


@dataclass(frozen=True)
class Line:
    item: TranscriptItem
    html: Markup  # the text, escaped, with the matches of a search marked


def languages(lesson: Lesson) -> list[str]:
    """The languages the lesson's transcript can be read in: its own first, then its
    translations."""
    own = lesson.published_captions
    return ([own.language] if own else []) + [t.language for t in lesson.published_translations]


def items(lesson: Lesson, language: str | None = None) -> list[TranscriptItem]:
    """The lines: the captions in ``language`` (the lesson's own when it has none in it) with
    the descriptions between them."""
    track = lesson.captions_in(language) if language else lesson.published_captions
    cues = captions.cues_for_display(track.vtt) if track else []
    return descriptions.transcript_items(cues, lesson.published_descriptions)


def clean_query(query: str | None) -> str:
    return " ".join((query or "").split())[:MAX_QUERY]


def search(found: list[TranscriptItem], query: str) -> list[Line]:
    """The lines containing ``query`` (case-insensitive; all lines for an empty query), with each
    match wrapped in ``<mark>``; everything else escaped."""
    if not query:
        return [Line(item, escape(item.text)) for item in found]
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    lines = []
    for item in found:
        parts = pattern.split(item.text)
        if len(parts) == 1:
            continue
        matches = pattern.findall(item.text)
        html = Markup("").join(
            escape(part) + (Markup("<mark>%s</mark>") % matches[i] if i < len(matches) else "")
            for i, part in enumerate(parts)
        )
        lines.append(Line(item, html))
    return lines


def plain_text(lesson: Lesson, description_label: str, language: str | None = None) -> str:
    """The transcript as a text file: a title, then one line per caption or description."""
    lines = [lesson.title, ""]
    for item in items(lesson, language):
        prefix = f"[{item.start_label}] "
        label = (f"{description_label} " if item.is_description
                 else f"{item.speaker}: " if item.speaker else "")
        lines.append(prefix + label + item.text)
    return "\n".join(lines) + "\n"
