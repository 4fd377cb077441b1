"""Lessons to take away (issue 29): what a browser stores to play a lesson without a connection,
and quiz answers given on a device that was offline, sent when it is back.

The browser does the storing (``static/js/offline.js`` and the service worker
``static/js/sw.js``); this module says what a lesson needs (``manifest``: its media choices with
their sizes, the page fragments and the quiz answer sheets), makes the playlist that names only
the rendition a learner saved (``master_only``), and takes answers given offline
(``submit_offline``), once however often they are sent. It must not decide who may see a lesson
or quiz (``access`` does) nor store anything of the learner's device.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from media_pipeline import renditions as pipeline

from ..extensions import db
from ..models import Lesson, Quiz, QuizAttempt, RenditionSet, User, utcnow
from . import quizzes, renditions
from .media import media_root

AUDIO = "audio"
# The id a device gives answers it sends (crypto.randomUUID()).
_OFFLINE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Choice:
    """One way to save a lesson's media: a video rendition or the audio only."""

    name: str  # "240p" … or "audio"
    bytes: int  # every file of it
    files: tuple[str, ...]  # the addresses to store
    playlist: str | None = None  # for a rendition: the address of its one-rendition playlist


def _rendition_files(row: RenditionSet, name: str) -> list[Path]:
    folder = Path(media_root()) / row.folder / name
    return sorted(p for p in folder.iterdir()
                  if renditions.file_of(row, f"{name}/{p.name}") is not None)


def choices(lesson: Lesson, row: RenditionSet | None) -> list[Choice]:
    """What the learner may save of the lesson's media (``row``: its smaller versions),
    smallest first; none without smaller versions (the original upload is never offered: it
    can be any size)."""
    if row is None or lesson.media is None or row.media_id != lesson.media.id:
        return []
    sha = lesson.media.sha256
    found: list[Choice] = []
    if row.audio_bytes:
        found.append(Choice(AUDIO, row.audio_bytes, (
            url_for("media.rendition_file", sha256=sha, name=pipeline.AUDIO_ONLY),)))
    for variant in reversed(row.variants):  # smallest first
        name = variant["name"]
        paths = _rendition_files(row, name)
        urls = tuple(url_for("media.rendition_file", sha256=sha, name=f"{name}/{p.name}")
                     for p in paths)
        found.append(Choice(name, sum(p.stat().st_size for p in paths), urls,
                            url_for("media.rendition_file", sha256=sha, name=pipeline.MASTER,
                                    only=name)))
    return found


def manifest(lesson: Lesson) -> dict:
    """Everything the browser stores for the lesson besides the page and what it names itself
    (scripts, styles and tracks, which the service worker reads from the page)."""
    sha = lesson.media.sha256 if lesson.media else None
    return {
        "lesson": lesson.id,
        "title": lesson.title,
        "course": lesson.course.title,
        "page": url_for("catalogue.lesson", lesson_id=lesson.id),
        # Asked for by htmx (with its HX-Request header): the transcript beside the video.
        "fragments": [url_for("player.transcript_page", lesson_id=lesson.id)],
        # The quiz after the lesson: offline its page is the answer sheet, kept under its
        # address; answers sent from it wait on the device until the connection is back.
        "quizzes": [{"page": url_for("quizzes.quiz_page", quiz_id=q.id),
                     "sheet": url_for("offline.quiz_sheet", quiz_id=q.id)}
                    for q in quizzes.after_lesson(lesson) if q.questions],
        "master": url_for("media.rendition_file", sha256=sha, name=pipeline.MASTER)
        if sha else None,
        "choices": [{"name": c.name, "bytes": c.bytes, "files": list(c.files),
                     "playlist": c.playlist}
                    for c in choices(lesson, renditions.for_media(lesson.media))],
        "kept": url_for("offline.kept"),
        "saved": url_for("offline.saved"),
    }


def master_only(row: RenditionSet, name: str) -> str | None:
    """The master playlist with one rendition only (what a saved lesson plays: hls.js then never
    asks for a rendition that is not on the device), or None when the set lacks it."""
    if name not in {v["name"] for v in row.variants}:
        return None
    text = (Path(media_root()) / row.folder / pipeline.MASTER).read_text(encoding="utf-8")
    lines = text.splitlines()
    kept: list[str] = []
    skip_next = False
    for index, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        if line.startswith("#EXT-X-STREAM-INF"):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if not following.startswith(f"{name}/"):
                skip_next = True
                continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def _answered_at(raw: str | None) -> datetime | None:
    """When the answers were given, as the device says (milliseconds since 1970); kept only
    when it is not in the future."""
    if not raw or not raw.isdigit():
        return None
    try:
        when = datetime.fromtimestamp(int(raw) / 1000, tz=UTC).replace(tzinfo=None)
    except (OverflowError, ValueError, OSError):
        return None
    return when if when <= utcnow() else None


def submit_offline(user: User, quiz: Quiz, form) -> QuizAttempt:
    """Score answers given offline as one attempt (QuizError with the reason when they cannot
    be). The same ``offline_id`` sent again gives the attempt it made the first time."""
    offline_id = (form.get("offline_id") or "").strip().lower() or None
    if offline_id is not None:
        if not _OFFLINE_ID.match(offline_id):
            raise quizzes.QuizError(_("The answers came without a valid device id. Answer the "
                                      "quiz again."))
        earlier = db.session.scalar(select(QuizAttempt).where(
            QuizAttempt.offline_id == offline_id))
        if earlier is not None:
            if earlier.user_id != user.id or earlier.quiz_id != quiz.id:
                raise quizzes.QuizError(_("The answers came without a valid device id. Answer "
                                          "the quiz again."))
            return earlier
    if quiz.time_limit_min:
        raise quizzes.QuizError(_("This quiz has a time limit, so it can only be taken with a "
                                  "connection."))
    answers = quizzes.parse_answers(quiz, _answers_only(form))
    attempt = quizzes.start(user, quiz)
    attempt.offline_id = offline_id
    attempt.answered_offline_at = _answered_at(form.get("answered_at"))
    return quizzes.submit(attempt, answers)


class _answers_only:
    """The form without the offline sheet's own fields, for ``quizzes.parse_answers``."""

    OWN = {"offline_id", "answered_at"}

    def __init__(self, form):
        self.form = form

    def __iter__(self):
        return (name for name in self.form if name not in self.OWN)

    def getlist(self, name):
        return self.form.getlist(name)


__all__ = ["AUDIO", "Choice", "choices", "manifest", "master_only", "submit_offline"]
