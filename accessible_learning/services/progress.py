"""A learner's place in a lesson and whether the lesson is completed.

The rule, stated to learners on the lesson page: a lesson is completed when at least
``COMPLETION_SHARE`` of it has been played (each part counted once, skipped parts not at all), or
when the learner has read its transcript to the end and said so.
It must not decide access (the caller has asked ``access``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from .. import driver_sql
from ..extensions import db
from ..models import Lesson, LessonProgress, User, utcnow

COMPLETION_SHARE = 0.8
MAX_RANGES = 200  # a request with more played parts than this is refused
RESUME_MARGIN_S = 5.0  # no offer to resume in the first or the last seconds


class ProgressError(ValueError):
    """The request's numbers are not a position or played parts of this lesson."""


@dataclass(frozen=True)
class Report:
    position_s: float
    watched_s: float
    completed: bool
    newly_completed: bool


_ROW = select(LessonProgress).where(LessonProgress.user_id == bindparam("user_id"),
                                    LessonProgress.lesson_id == bindparam("lesson_id"))


def get(user: User, lesson: Lesson | int) -> LessonProgress | None:
    lesson_id = lesson if isinstance(lesson, int) else lesson.id
    return db.session.scalar(_ROW, {"user_id": user.id, "lesson_id": lesson_id})


def duration(lesson: Lesson) -> float | None:
    return lesson.media.duration_s if lesson.media and lesson.media.duration_s else None


def _number(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ProgressError(f"{name} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise ProgressError(f"{name} must be a number of seconds, 0 or more")
    return number


def merge(ranges: list[list[float]]) -> list[list[float]]:
    """Sorted ranges with the overlapping and touching ones joined."""
    merged: list[list[float]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def parse_ranges(raw, length: float) -> list[list[float]]:
    """Played parts from a request: ``[[start, end], ...]`` within ``[0, length]``."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_RANGES:
        raise ProgressError(f"played parts must be a list of at most {MAX_RANGES} pairs")
    ranges = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ProgressError("each played part must be a pair [start, end]")
        start, end = _number(item[0], "start"), _number(item[1], "end")
        if end < start:
            raise ProgressError("a played part ends before it starts")
        start, end = min(start, length), min(end, length)
        if end > start:
            ranges.append([round(start, 2), round(end, 2)])
    return ranges


# A report on a lesson already started (all but the first): the row read through the database
# driver and changed with one UPDATE, instead of loading and flushing an ORM object (a player
# reports several times a minute; see ``driver_sql``).
_STARTED = ("SELECT id, position_s, watched, completed FROM lesson_progress "
            "WHERE user_id = ? AND lesson_id = ?")
_TABLE = LessonProgress.__table__
_UPDATE = update(_TABLE).where(_TABLE.c.id == bindparam("row_id"))


def record(user: User, lesson_id: int, length: float | None, position,
           played=None) -> Report:
    """Store the learner's position and add the parts played since the last report. ``length``:
    the lesson's video duration (None when it has no video)."""
    if not length:
        raise ProgressError("this lesson has no video")
    position_s = round(min(_number(position, "position"), length), 2)
    ranges = parse_ranges(played, length)
    started = driver_sql.fetch_one(_STARTED, (user.id, lesson_id))
    if started is not None:
        row_id, stored_position, stored, completed = started
        if isinstance(stored, str):  # SQLite gives JSON as text
            stored = json.loads(stored)
        stored = stored or []
        watched, watched_s = _played(stored, ranges)
        values = {"position_s": position_s, "watched": watched, "watched_s": watched_s}
        newly = not completed and watched_s >= COMPLETION_SHARE * length
        if newly:
            values.update(_completion("watching"))
        if newly or position_s != stored_position or watched != stored:  # else: nothing new
            db.session.execute(_UPDATE, {"row_id": row_id, **values})
            db.session.commit()
        return Report(position_s, watched_s, bool(completed) or newly, newly)
    for attempt in range(2):
        row = get(user, lesson_id) or LessonProgress(user_id=user.id, lesson_id=lesson_id)
        was_completed = bool(row.completed)
        row.position_s = position_s
        row.watched, row.watched_s = _played(row.watched, ranges)
        if not row.completed and row.watched_s >= COMPLETION_SHARE * length:
            _complete(row, "watching")
        db.session.add(row)
        # What was stored, taken before the commit expires the row (reading it afterwards
        # would load it again).
        report = Report(row.position_s, row.watched_s, bool(row.completed),
                        bool(row.completed) and not was_completed)
        try:
            db.session.commit()
            break
        except IntegrityError:
            # Two first reports at once (two tabs, or leaving the page while a report is on
            # its way): the other one made the row; add these parts to it.
            db.session.rollback()
            if attempt:
                raise
    return report


def transcript_read(user: User, lesson: Lesson) -> bool:
    """Mark the lesson completed by reading; returns False when it already was completed."""
    for attempt in range(2):
        row = get(user, lesson) or LessonProgress(user_id=user.id, lesson_id=lesson.id)
        if row.completed:
            return False
        _complete(row, "transcript")
        db.session.add(row)
        try:
            db.session.commit()
            return True
        except IntegrityError:  # a progress report made the row at the same moment
            db.session.rollback()
            if attempt:
                raise
    return True


def _played(stored: list | None, ranges: list[list[float]]) -> tuple[list[list[float]], float]:
    """The parts played, those stored and the new ones merged, and their total length."""
    watched = merge([list(r) for r in (stored or [])] + ranges)
    return watched, round(sum(end - start for start, end in watched), 2)


def _completion(how: str) -> dict:
    return {"completed": True, "completed_by": how, "completed_at": utcnow()}


def _complete(row: LessonProgress, how: str) -> None:
    for name, value in _completion(how).items():
        setattr(row, name, value)


def resume_at(row: LessonProgress | None, lesson: Lesson) -> float | None:
    """Where to offer to go on from, or None when starting again is the natural choice."""
    length = duration(lesson)
    if row is None or length is None:
        return None
    if RESUME_MARGIN_S <= row.position_s <= length - RESUME_MARGIN_S:
        return row.position_s
    return None
