"""Caption tracks for lessons.

``add_track`` only flushes (jobs and the demo combine it); it must not decide access.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

from sqlalchemy import func, select

from media_pipeline.captions import Cue, parse_webvtt, plain_text, to_webvtt
from media_pipeline.segment import check

from ..extensions import db
from ..models import CaptionTrack, Lesson


@dataclass(frozen=True)
class DisplayCue:
    start: float
    end: float
    text: str

    @property
    def start_label(self) -> str:
        return clock(self.start)


def clock(seconds: float) -> str:
    """A time as a clock shows it: 2:05, or 1:02:05 past an hour."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def cues_for_display(vtt: str) -> list[DisplayCue]:
    """The cues of a track for the transcript and the player. Parsing a long track takes many
    milliseconds (15 ms for 300 cues), and the transcript is fetched on every lesson page, so
    each distinct text is parsed once: the cache is keyed by the text itself, so a new or edited
    track is parsed afresh, and it holds only frozen cues (the list is a new one each time)."""
    return list(_display_cues(vtt))


@lru_cache(maxsize=32)
def _display_cues(vtt: str) -> tuple[DisplayCue, ...]:
    return tuple(DisplayCue(c.start, c.end, plain_text(c.text).replace("\n", " "))
                 for c in parse_webvtt(vtt))


def add_track(lesson: Lesson, cues: list[Cue], *, source: str, publish: bool,
              words: list[dict] | None = None, report: list[dict] | None = None) -> CaptionTrack:
    """Store a new caption version; nothing earlier is overwritten."""
    version = (db.session.scalar(
        select(func.max(CaptionTrack.version)).where(CaptionTrack.lesson_id == lesson.id)
    ) or 0) + 1
    vtt = to_webvtt(cues, lesson.language)  # wrapped by the lesson language's profile
    if report is None:  # judge the cues as they will be shown, after line breaking
        report = [asdict(r) for r in check(parse_webvtt(vtt), lesson.language)]
    track = CaptionTrack(
        lesson=lesson, version=version, language=lesson.language, source=source,
        status="published" if publish else "draft", vtt=vtt, words=words, report=report,
    )
    db.session.add(track)
    return track


def track(lesson: Lesson, version: int) -> CaptionTrack | None:
    return db.session.scalar(select(CaptionTrack).where(
        CaptionTrack.lesson_id == lesson.id, CaptionTrack.version == version))


def publish(track_: CaptionTrack) -> None:
    """Make this version the lesson's captions; the version published before goes back to draft
    (its text is kept)."""
    for other in track_.lesson.caption_tracks:
        if other is not track_ and other.status == "published":
            other.status = "draft"
    track_.status = "published"
    db.session.commit()


def editable_cues(track_: CaptionTrack) -> list[dict]:
    """Cues with what the editor needs: low-confidence words and the rules each cue breaks."""
    cues = parse_webvtt(track_.vtt)
    breaks: dict[int, list[str]] = {}
    for item in track_.report or []:
        breaks.setdefault(item["cue_index"], []).append(item["detail"])
    words = track_.words or []
    result = []
    for i, cue in enumerate(cues):
        inside = [w for w in words if cue.start - 0.01 <= w["start"] < cue.end]
        low = [w["word"] for w in inside if w.get("conf", 1) < LOW_CONFIDENCE]
        unscripted = [w["word"] for w in inside if w.get("unscripted")]
        result.append({"index": i, "start": cue.start, "end": cue.end,
                       "text": plain_text(cue.text), "low": low, "unscripted": unscripted,
                       "breaks": breaks.get(i, [])})
    return result


LOW_CONFIDENCE = 0.6
MAX_CUE_TEXT = 200


def parse_edited_cues(form, count: int, duration: float | None) -> tuple[list[Cue], list[tuple]]:
    """Cues from the editor's fields; errors as (field id, message) for the error summary."""
    cues: list[Cue] = []
    errors: list[tuple[str, str]] = []
    previous_start = -1.0
    for i in range(count):
        text = (form.get(f"cue-{i}-text") or "").strip()
        times: dict[str, float] = {}
        for part in ("start", "end"):
            raw = (form.get(f"cue-{i}-{part}") or "").strip()
            try:
                times[part] = parse_time(raw)
            except ValueError:
                errors.append((f"cue-{i}-{part}", f"Cue {i + 1}: the {part} time “{raw[:20]}” is "
                               "not a time. Write seconds (12.5) or minutes and seconds (0:12.5)."))
        if len(times) < 2:
            continue
        start, end = times["start"], times["end"]
        if not text:
            continue  # an emptied cue is removed
        if len(text) > MAX_CUE_TEXT:
            errors.append((f"cue-{i}-text", f"Cue {i + 1}: the text is longer than "
                           f"{MAX_CUE_TEXT} characters. Split it into two cues."))
        if end <= start:
            errors.append((f"cue-{i}-end", f"Cue {i + 1}: the end must be after the start."))
        if duration is not None and end > duration + 0.5:
            errors.append((f"cue-{i}-end", f"Cue {i + 1}: the end is after the end of the media "
                           f"({duration:.1f} s)."))
        if start < previous_start:
            errors.append((f"cue-{i}-start", f"Cue {i + 1}: starts before the cue above it. "
                           "Cues must be in time order."))
        previous_start = start
        cues.append(Cue(start, end, text))
    if not cues and not errors:
        errors.append(("cue-0-text", "Every cue is empty. Write the text of at least one cue."))
    return cues, errors


def parse_time(value: str) -> float:
    parts = value.replace(",", ".").split(":")
    if not value or len(parts) > 3:
        raise ValueError(value)
    seconds = 0.0
    for part in parts:
        number = float(part)
        if number < 0 or number != number or number in (float("inf"),):
            raise ValueError(value)
        seconds = seconds * 60 + number
    return round(seconds, 3)
