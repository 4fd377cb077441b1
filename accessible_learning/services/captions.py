"""Caption tracks for lessons."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from media_pipeline.captions import Cue, parse_webvtt, plain_text, to_webvtt

from ..extensions import db
from ..models import CaptionTrack, Lesson


@dataclass(frozen=True)
class DisplayCue:
    start: float
    end: float
    text: str

    @property
    def start_label(self) -> str:
        minutes, seconds = divmod(int(self.start), 60)
        return f"{minutes}:{seconds:02d}"


def cues_for_display(vtt: str) -> list[DisplayCue]:
    return [DisplayCue(c.start, c.end, plain_text(c.text).replace("\n", " "))
            for c in parse_webvtt(vtt)]


def add_track(lesson: Lesson, cues: list[Cue], *, source: str, publish: bool) -> CaptionTrack:
    """Store a new caption version; publishing it leaves earlier versions as they were."""
    version = (db.session.scalar(
        select(func.max(CaptionTrack.version)).where(CaptionTrack.lesson_id == lesson.id)
    ) or 0) + 1
    track = CaptionTrack(
        lesson=lesson, version=version, language=lesson.language, source=source,
        status="published" if publish else "draft", vtt=to_webvtt(cues),
    )
    db.session.add(track)
    return track
