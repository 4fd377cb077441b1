"""Caption tracks for lessons, and their review.

A cue is *flagged* when recognition was unsure of a word in it, when it was said outside the
lesson script, or when it breaks a caption rule; it is *open* until a person checks it
("confirmed") or changes its words. Saving an edited version carries each unchanged cue's flags
and checks over (``carry_checks``); a changed or new cue counts as checked. A version with open
cues is published only "without review", which is recorded with who and when.

Each version belongs to the media it was made for. New media uploaded while learners are served
the lesson's media waits as ``new_media``; publishing a version made for it switches the lesson
to it, so that new media and reviewed captions reach learners together. A version made for
media the lesson no longer has cannot be published.

A lesson has its own captions, in the language spoken, and may have translations, one published
version a language (``CaptionTrack.translation``). A translation starts as a copy of the lesson's
captions with the same timings, every cue flagged "not translated yet" until a person writes it
(``start_translation``); it is reviewed and published like the lesson's own, and never switches
the lesson's media.

``add_track`` only flushes (jobs and the demo combine it); ``publish`` commits. It must not
decide access.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import func, select

from media_pipeline import languages
from media_pipeline.captions import Cue, parse_webvtt, plain_text, to_webvtt, with_speaker_names
from media_pipeline.segment import check

from ..extensions import db
from ..models import CaptionTrack, Lesson, utcnow

# The languages captions may be translated into, by code, with the name a reader of the
# language knows it by (media_pipeline.languages' where it has one).
_MORE_LANGUAGES = {"vi": "Tiếng Việt", "th": "ไทย", "id": "Bahasa Indonesia", "es": "Español",
                   "fr": "Français", "ru": "Русский", "mn": "Монгол", "uz": "Oʻzbekcha"}
CAPTION_LANGUAGES: dict[str, str] = {
    **{code: entry.native_name for code, entry in languages.LANGUAGES.items()},
    **_MORE_LANGUAGES,
}


def language_name(code: str) -> str:
    return CAPTION_LANGUAGES.get(code, code)


@dataclass(frozen=True)
class DisplayCue:
    start: float
    end: float
    text: str
    speaker: str = ""

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
    return tuple(DisplayCue(c.start, c.end, plain_text(c.text).replace("\n", " "), c.speaker)
                 for c in parse_webvtt(vtt))


def learner_vtt(vtt: str, language: str) -> str:
    """A track as learners get it: each change of speaker named in the text (a cue of one line
    is wrapped again by the track language's profile)."""
    if "<v" not in vtt:
        return vtt
    return _learner_vtt(vtt, language)


@lru_cache(maxsize=32)
def _learner_vtt(vtt: str, language: str) -> str:
    cues = [Cue(c.start, c.end, plain_text(c.text), c.speaker) for c in parse_webvtt(vtt)]
    return to_webvtt(with_speaker_names(cues), language)


def add_track(lesson: Lesson, cues: list[Cue], *, source: str, publish: bool,
              words: list[dict] | None = None, report: list[dict] | None = None,
              checks: list[dict] | None = None, media_id: int | None = None,
              translation: str | None = None) -> CaptionTrack:
    """Store a new caption version, made for ``media_id`` (by default the lesson's new media
    waiting for its captions, else its media), in the lesson's language or, with
    ``translation``, a translation into that language; nothing earlier is overwritten."""
    version = (db.session.scalar(
        select(func.max(CaptionTrack.version)).where(CaptionTrack.lesson_id == lesson.id)
    ) or 0) + 1
    language = translation or lesson.language
    vtt = to_webvtt(cues, language)  # wrapped by the caption language's profile
    if report is None:  # judge the cues as they will be shown, after line breaking
        report = [asdict(r) for r in check(parse_webvtt(vtt), language)]
    track = CaptionTrack(
        lesson=lesson, version=version, language=language, translation=translation is not None,
        source=source,
        status="published" if publish else "draft", vtt=vtt, words=words, report=report,
        checks=checks, media_id=media_id or lesson.new_media_id or lesson.media_id,
    )
    db.session.add(track)
    return track


def track(lesson: Lesson, version: int) -> CaptionTrack | None:
    return db.session.scalar(select(CaptionTrack).where(
        CaptionTrack.lesson_id == lesson.id, CaptionTrack.version == version))


class MadeForOtherMedia(Exception):
    """Publishing refused: the version was made for media the lesson no longer has."""


class ReviewNeeded(Exception):
    """Publishing refused: these cues (indexes) are still to check."""

    def __init__(self, open_cues: list[int]):
        super().__init__(f"{len(open_cues)} cues to check")
        self.open_cues = open_cues


def publish(track_: CaptionTrack, by_id: int | None, without_review: bool = False) -> None:
    """Make this version the lesson's captions (or its translation into the version's
    language); the version of the same kind published before goes back to draft (its text is
    kept). ``ReviewNeeded`` while cues are open, unless ``without_review``: then the open cues
    are counted with who published it and when. Only the lesson's own captions bring new media
    to learners; a translation made for the new media waits for them."""
    lesson = track_.lesson
    if track_.media_id not in (lesson.media_id, lesson.new_media_id):
        raise MadeForOtherMedia()
    still_open = open_cues(track_)
    if still_open and not without_review:
        raise ReviewNeeded(still_open)
    if (not track_.translation and lesson.new_media_id is not None
            and track_.media_id == lesson.new_media_id):
        # The new media and its captions reach learners together.
        lesson.media_id, lesson.new_media_id = lesson.new_media_id, None
    for other in lesson.caption_tracks:
        if (other is not track_ and other.status == "published"
                and other.translation == track_.translation
                and (not other.translation or other.language == track_.language)):
            other.status = "draft"
    track_.status = "published"
    track_.published_by_id, track_.published_at = by_id, utcnow()
    track_.unreviewed_cues = len(still_open)
    db.session.commit()


def _words_by_cue(words: list[dict], cues: list[Cue]) -> list[list[dict]]:
    starts = [w["start"] for w in words]
    return [words[bisect.bisect_left(starts, cue.start - 0.01):
                  bisect.bisect_left(starts, cue.end)] for cue in cues]


def editable_cues(track_: CaptionTrack) -> list[dict]:
    """Cues with what the editor needs: their flags (low-confidence words, words said outside
    the script, the rules each breaks), whether a person has checked them, and so whether
    they are still open."""
    cues = parse_webvtt(track_.vtt)
    breaks: dict[int, list[str]] = {}
    for item in track_.report or []:
        breaks.setdefault(item["cue_index"], []).append(item["detail"])
    checks = track_.checks
    if checks is None:  # as recognition made it: the flags come from the words
        words = sorted(track_.words or [], key=lambda w: w["start"])
        checks = [{"low": [w["word"] for w in inside if w.get("conf", 1) < LOW_CONFIDENCE],
                   "unscripted": [w["word"] for w in inside if w.get("unscripted")],
                   "confirmed": False} for inside in _words_by_cue(words, cues)]
    result = []
    for i, cue in enumerate(cues):
        check_ = checks[i] if i < len(checks) else {}
        low, unscripted = check_.get("low") or [], check_.get("unscripted") or []
        untranslated = bool(check_.get("untranslated"))
        flagged = bool(low or unscripted or breaks.get(i) or untranslated)
        confirmed = bool(check_.get("confirmed"))
        result.append({"index": i, "origin": i, "start": cue.start, "end": cue.end,
                       "text": plain_text(cue.text), "speaker": cue.speaker, "low": low,
                       "unscripted": unscripted,
                       "untranslated": untranslated,
                       "breaks": breaks.get(i, []), "flagged": flagged, "confirmed": confirmed,
                       "open": flagged and not confirmed})
    return result


def open_cues(track_: CaptionTrack) -> list[int]:
    """The indexes of the cues still to check."""
    return [cue["index"] for cue in editable_cues(track_) if cue["open"]]


def _same_words(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def carry_checks(track_: CaptionTrack, edit: Edit) -> list[dict]:
    """The checks of an edited version: an unchanged cue keeps its flags, and is checked if it
    was or if its box was ticked; a changed or new cue counts as checked by the person who
    wrote it."""
    before = editable_cues(track_)
    checks = []
    for cue, origin, ticked in zip(edit.cues, edit.origins, edit.confirmed, strict=True):
        old = before[origin] if origin is not None and 0 <= origin < len(before) else None
        if old is not None and _same_words(old["text"], cue.text):
            checks.append({"low": old["low"], "unscripted": old["unscripted"],
                           "untranslated": old.get("untranslated", False),
                           "confirmed": old["confirmed"] or ticked})
        else:
            checks.append({"low": [], "unscripted": [], "confirmed": True})
    return checks


class NothingToTranslate(Exception):
    """A translation needs the lesson's own captions to start from."""


def start_translation(lesson: Lesson, language: str) -> CaptionTrack:
    """A draft translation into ``language``: the lesson's own captions (the published version,
    else the newest) with their timings, each cue to check until a person writes it in the
    new language. Flushes only."""
    own = own_captions(lesson)
    if own is None:
        raise NothingToTranslate()
    cues = [Cue(c.start, c.end, plain_text(c.text), c.speaker) for c in parse_webvtt(own.vtt)]
    checks = [{"low": [], "unscripted": [], "untranslated": True, "confirmed": False}
              for _cue in cues]
    return add_track(lesson, cues, source="edited", publish=False, checks=checks,
                     media_id=own.media_id, translation=language)


def own_captions(lesson: Lesson) -> CaptionTrack | None:
    """The captions in the language spoken: the published version, else the newest."""
    return lesson.published_captions or next(
        (t for t in reversed(lesson.caption_tracks) if not t.translation), None)


def original_texts(lesson: Lesson, cues: list[dict]) -> list[str]:
    """For a translation's cues (as the editor shows them), the text of the lesson's own cue
    each overlaps most, for the translator to read beside it ("" where none overlaps)."""
    own = own_captions(lesson)
    sources = cues_for_display(own.vtt) if own else []
    texts = []
    for cue in cues:
        best, most = "", 0.0
        for source in sources:
            overlap = min(cue["end"], source.end) - max(cue["start"], source.start)
            if overlap > most:
                best, most = source.text, overlap
        texts.append(best)
    return texts


LOW_CONFIDENCE = 0.6
MAX_CUE_TEXT = 200
MAX_SPEAKER = 60


def speaker_from(form, i: int) -> str:
    """The speaker field of cue ``i`` (one line, its spaces closed up)."""
    return " ".join((form.get(f"cue-{i}-speaker") or "").split())[:MAX_SPEAKER]


@dataclass
class Edit:
    """What the editor sent: the cues, where each came from (its index in the version edited,
    None for a new cue), whether its "checked" box was ticked, and the errors as
    (field id, message) for the error summary."""

    cues: list[Cue] = field(default_factory=list)
    origins: list[int | None] = field(default_factory=list)
    confirmed: list[bool] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def _origin(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def parse_edited_cues(form, count: int, duration: float | None) -> Edit:
    """Cues from the editor's fields, in the order sent."""
    edit = Edit()
    errors = edit.errors
    previous_start = -1.0
    for i in range(count):
        # A textarea sends CR LF; a line's trailing spaces are nothing to keep.
        text = "\n".join(line.rstrip() for line in (form.get(f"cue-{i}-text") or "").strip()
                         .replace("\r\n", "\n").replace("\r", "\n").split("\n"))
        times: dict[str, float] = {}
        for part in ("start", "end"):
            raw = (form.get(f"cue-{i}-{part}") or "").strip()
            try:
                times[part] = parse_time(raw)
            except ValueError:
                message = (_("Cue %(n)d: the start time “%(value)s” is not a time. Write seconds "
                             "(12.5) or minutes and seconds (0:12.5).", n=i + 1, value=raw[:20])
                           if part == "start" else
                           _("Cue %(n)d: the end time “%(value)s” is not a time. Write seconds "
                             "(12.5) or minutes and seconds (0:12.5).", n=i + 1, value=raw[:20]))
                errors.append((f"cue-{i}-{part}", message))
        if len(times) < 2:
            continue
        start, end = times["start"], times["end"]
        if not text:
            continue  # an emptied cue is removed
        n = i + 1
        if "\n\n" in text:  # WebVTT ends a cue at an empty line
            errors.append((f"cue-{i}-text", _(
                "Cue %(n)d: the text has an empty line, which would end the cue there. Remove "
                "the empty line, or split the cue in two.", n=n)))
        if len(text) > MAX_CUE_TEXT:
            errors.append((f"cue-{i}-text", _(
                "Cue %(n)d: the text is longer than %(count)d characters. Split it into two "
                "cues.", n=n, count=MAX_CUE_TEXT)))
        if end <= start:
            errors.append((f"cue-{i}-end", _("Cue %(n)d: the end must be after the start.",
                                             n=n)))
        if duration is not None and end > duration + 0.5:
            errors.append((f"cue-{i}-end", _(
                "Cue %(n)d: the end is after the end of the media (%(seconds).1f s).", n=n,
                seconds=duration)))
        if start < previous_start:
            errors.append((f"cue-{i}-start", _(
                "Cue %(n)d: starts before the cue above it. Cues must be in time order.", n=n)))
        previous_start = start
        edit.cues.append(Cue(start, end, text, speaker_from(form, i)))
        edit.origins.append(_origin(form.get(f"cue-{i}-origin")))
        edit.confirmed.append(form.get(f"cue-{i}-confirmed") == "yes")
    if not edit.cues and not errors:
        errors.append(("cue-0-text", _("Every cue is empty. Write the text of at least one "
                                       "cue.")))
    return edit


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
