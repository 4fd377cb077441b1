"""Audio-description tracks: authoring (cues with anchor time and text), versions, publishing.

The authored cues are kept as WebVTT (kind descriptions: each cue starts at its anchor). A draft
version is edited in place; once a version is published, the next change starts a new draft, so
what learners have is never altered under them. The describe job adds the final times, the
placement report and the two renditions to a version, then publishes it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from media_pipeline.captions import parse_webvtt, plain_text, timestamp
from media_pipeline.describe import (
    DescribeResult,
    Description,
    authored_vtt,
    describe,
    descriptions_vtt,
    read_descriptions,
)
from media_pipeline.errors import MediaError
from media_pipeline.place import Placement
from media_pipeline.words import Word

from ..extensions import db
from ..models import DescriptionTrack, Lesson
from .captions import DisplayCue, parse_time
from .media import media_root, store_file

MAX_TEXT = 500  # characters in one description
MIN_APART_S = 0.1  # two descriptions cannot share a moment
MAX_FILE = 2_000_000  # bytes of an imported descriptions file


def latest(lesson: Lesson) -> DescriptionTrack | None:
    return lesson.description_tracks[-1] if lesson.description_tracks else None


def track(lesson: Lesson, version: int) -> DescriptionTrack | None:
    return db.session.scalar(select(DescriptionTrack).where(
        DescriptionTrack.lesson_id == lesson.id, DescriptionTrack.version == version))


def cues(track_: DescriptionTrack | None) -> list[Description]:
    if track_ is None or not track_.vtt.strip():
        return []
    return [Description(c.start, " ".join(plain_text(c.text).split()))
            for c in parse_webvtt(track_.vtt)]


def _draft(lesson: Lesson) -> DescriptionTrack:
    """The version to edit: the latest if it is still a draft, otherwise a new draft that starts
    from the latest version's cues."""
    current = latest(lesson)
    if current is not None and current.status == "draft" and not current.placed_vtt:
        return current
    version = (db.session.scalar(select(func.max(DescriptionTrack.version)).where(
        DescriptionTrack.lesson_id == lesson.id)) or 0) + 1
    draft = DescriptionTrack(lesson=lesson, version=version, language=lesson.language,
                             status="draft", vtt=current.vtt if current else "WEBVTT\n")
    db.session.add(draft)
    return draft


def check_new(items: list[Description], anchor_text: str, text: str,
              duration: float | None) -> tuple[Description | None, list[tuple[str, str]]]:
    """A new cue from the form, or errors as (field id, message) for the error summary."""
    errors: list[tuple[str, str]] = []
    text = " ".join((text or "").split())
    anchor = None
    if not (anchor_text or "").strip():
        errors.append(("time", "Enter the time where the thing to describe is shown: seconds "
                               "(12.5) or minutes and seconds (0:12.5)."))
    else:
        try:
            anchor = parse_time(anchor_text)
        except ValueError:
            errors.append(("time", f"The time “{anchor_text[:20]}” is not a time. Write "
                                   "seconds (12.5) or minutes and seconds (0:12.5)."))
    if anchor is not None:
        if duration is not None and anchor >= duration:
            errors.append(("time", f"The time {timestamp(anchor)} is after the end of the "
                                   f"lesson's media ({timestamp(duration)})."))
        elif any(abs(item.anchor - anchor) < MIN_APART_S for item in items):
            errors.append(("time", f"There is already a description at {timestamp(anchor)}. "
                                   "Change that one, or choose another time."))
    if not text:
        errors.append(("text", "Write the description: what the learner should hear."))
    elif len(text) > MAX_TEXT:
        errors.append(("text", f"The description is {len(text)} characters long; the limit "
                               f"is {MAX_TEXT}. Split it into two descriptions."))
    if errors:
        return None, errors
    return Description(anchor, text), []


def add(lesson: Lesson, item: Description) -> DescriptionTrack:
    draft = _draft(lesson)
    items = sorted([*cues(draft), item], key=lambda d: d.anchor)
    draft.vtt = authored_vtt(items)
    return draft


def remove(lesson: Lesson, index: int) -> DescriptionTrack | None:
    current = latest(lesson)
    items = cues(current)
    if not 0 <= index < len(items):
        return None
    draft = _draft(lesson)
    items.pop(index)
    draft.vtt = authored_vtt(items)
    return draft


def import_file(lesson: Lesson, data: bytes, filename: str) -> DescriptionTrack:
    """Replace the draft's cues by those of a WebVTT/SRT file; MediaError names the line."""
    if len(data) > MAX_FILE:
        raise MediaError("The descriptions file is larger than 2 MB; a descriptions file is text "
                         "and much smaller. Check that you chose the right file.")
    items = read_descriptions(data, filename)
    duration = lesson.media.duration_s if lesson.media else None
    for number, item in enumerate(items, start=1):
        if duration is not None and item.anchor >= duration:
            raise MediaError(f"Description {number} is at {timestamp(item.anchor)}, after the "
                             f"end of the lesson's media ({timestamp(duration)}).")
        if len(item.text) > MAX_TEXT:
            raise MediaError(f"Description {number} is {len(item.text)} characters long; the "
                             f"limit is {MAX_TEXT}.")
    draft = _draft(lesson)
    draft.vtt = authored_vtt(items)
    return draft


def finish(track_: DescriptionTrack, placements: list[Placement], texts: list[str],
           mixed, extended) -> None:
    """Store what the describe job made and publish the version (the others become drafts)."""
    track_.placed_vtt = descriptions_vtt(placements, texts)
    track_.report = [asdict(p) for p in placements]
    track_.mixed_media = mixed
    track_.extended_media = extended
    for other in track_.lesson.description_tracks:
        if other is not track_ and other.status == "published":
            other.status = "draft"
    track_.status = "published"


def make_described(track_: DescriptionTrack, words: list[Word] | None, *,
                   progress: Callable[[str], None] | None = None) -> DescribeResult:
    """Run the pipeline for a description version (words: where the speech is, from the
    captions; None lets the pipeline recognise it), store both renditions and publish it."""
    lesson, asset = track_.lesson, track_.lesson.media
    items = cues(track_)
    work = media_root() / ".incoming"
    work.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix="describe-") as out:
        result = describe(media_root() / asset.filename, items, lesson.language, out,
                          words=words, cache_dir=speech_cache(),
                          configured_models=current_app.config.get("VOSK_MODELS"),
                          jobs=current_app.config.get("RECOGNITION_JOBS"), progress=progress)
        extension = result.described.suffix.lstrip(".")
        stem = asset.sha256[:8]
        mixed = store_file(result.described, extension, original_name=f"described-{stem}")
        extended = (store_file(result.extended, extension, original_name=f"extended-{stem}")
                    if result.extended else None)
    track_.media_id = asset.id  # placed in and mixed with this media
    finish(track_, result.placements, [d.text for d in items], mixed, extended)
    return result


def pauses(track_: DescriptionTrack) -> list[dict]:
    """The extended descriptions' pause points and lengths, for the player to map positions
    between the original and the extended rendition."""
    return [{"at": round(p["start"], 3), "length": round(p["duration"], 3)}
            for p in (track_.report or []) if p["kind"] == "extended"]


@dataclass(frozen=True)
class Offer:
    """What the player offers a learner for a published version: how many descriptions the
    described audio lacks (those too long for any pause, which only the extended version and
    the text descriptions have), the modes it offers and the one it starts in."""

    total: int
    lacking: int
    extended: bool  # there is an extended version
    start: str  # the mode checked when the page opens ("off" unless description is on)
    on: str  # the mode that turning description on chooses
    instead: bool  # the learner's own mode was passed over because it lacks descriptions

    @property
    def modes(self) -> list[str]:
        return ["off", "described", *(["extended"] if self.extended else []), "speech",
                "screen-reader"]


def offer(track_: DescriptionTrack, audio_description: bool, mode: str) -> Offer:
    """The modes for a learner whose preferences are ``audio_description`` (on by default) and
    ``mode``: described audio that lacks descriptions is never chosen for them; the extended
    version is (or, without one, text descriptions spoken by the browser, which pause)."""
    report = track_.report or []
    lacking = sum(1 for p in report if p["kind"] == "extended")
    extended = track_.extended_media_id is not None
    on = mode if mode in ("described", "extended", "speech", "screen-reader") else "described"
    if on == "extended" and not extended:
        on = "described"  # a lesson whose descriptions all fit the pauses has no extended one
    instead = on == "described" and lacking > 0
    if instead:
        on = "extended" if extended else "speech"
    return Offer(total=len(report), lacking=lacking, extended=extended,
                 start=on if audio_description else "off", on=on,
                 instead=instead and audio_description)


def speech_cache() -> Path:
    """Spoken descriptions, by text, voice and rate; beside the media, so that every web and
    worker node that shares the media folder shares it."""
    return media_root() / ".speech-cache"


@dataclass(frozen=True)
class TranscriptItem(DisplayCue):
    is_description: bool = False


def transcript_items(caption_cues, described: DescriptionTrack | None) -> list[TranscriptItem]:
    """What is said and what is described, in time order: the transcript as a full text
    alternative (WCAG 1.2.8). A description placed at the same moment as speech comes after it."""
    items, previous = [], ""
    for c in caption_cues:  # the speaker is named when it changes
        items.append(TranscriptItem(c.start, c.end, c.text,
                                    c.speaker if c.speaker != previous else ""))
        previous = c.speaker
    if described is not None and described.placed_vtt:
        items += _description_items(described.placed_vtt)
    return sorted(items, key=lambda i: (i.start, i.is_description))


@lru_cache(maxsize=32)
def _description_items(placed_vtt: str) -> tuple[TranscriptItem, ...]:
    """A placed track's cues as transcript lines, parsed once per distinct text (keyed by the
    text itself, like ``captions.cues_for_display``)."""
    return tuple(TranscriptItem(cue.start, cue.end, " ".join(plain_text(cue.text).split()),
                                is_description=True)
                 for cue in parse_webvtt(placed_vtt))
