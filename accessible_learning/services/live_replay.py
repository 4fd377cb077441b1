"""A live class's replay (issue 28): its recordings become a draft lesson of the course, which
learners who watched most of the class live have completed already.

It must not queue jobs (the job that calls it queues the lesson's captions and renditions) nor
decide who sees the lesson (a draft: the content team reviews and publishes it).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from media_pipeline.errors import MediaError
from media_pipeline.extract import remux_recording

from ..extensions import db
from ..models import LessonProgress, LiveAttendance, LiveClass, utcnow
from . import authoring, media
from .progress import COMPLETION_SHARE


def make_replay(live_class: LiveClass) -> LiveClass:
    """The recordings, joined, as a draft lesson of the course: remuxed to MP4, stored under its
    hash (the caller queues its captions, made by the batch pipeline and reviewed like any
    upload's). A replay made already is kept. Raises MediaError when a recording is missing or
    not usable media."""
    if live_class.replay_lesson is not None:
        return live_class
    sources = [Path(path) for path in live_class.recordings]
    if not sources or not all(path.is_file() for path in sources):
        raise MediaError("The class's recording is missing, so no replay could be made.")
    scratch = Path(tempfile.mkdtemp(prefix="replay-", dir=current_app.config["LIVE_ROOT"]))
    try:
        target = remux_recording(sources, scratch / "replay.mp4")
        asset = media.store_file(target, "mp4", original_name=f"{live_class.title}.mp4")
        db.session.flush()
        lesson = authoring.new_draft_lesson(
            live_class.course, f"{live_class.title} (replay)", live_class.language,
            f"The recording of the live class of {live_class.starts_at:%Y-%m-%d %H:%M} UTC.")
        lesson.media = asset
        live_class.replay_lesson = lesson
        db.session.flush()
        _attended(live_class, asset.duration_s)
        db.session.commit()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return live_class


def _attended(live_class: LiveClass, length_s: float | None) -> None:
    """Whoever watched at least ``COMPLETION_SHARE`` of the class live has completed its replay
    (by the lesson rule's share; the hours watched are counted from the attendance, not again
    from the lesson)."""
    if not length_s:
        return
    rows = db.session.scalars(select(LiveAttendance).where(
        LiveAttendance.live_class_id == live_class.id,
        LiveAttendance.watched_s >= COMPLETION_SHARE * length_s))
    for row in rows:
        db.session.add(LessonProgress(
            user_id=row.user_id, lesson_id=live_class.replay_lesson_id, completed=True,
            completed_by="live", completed_at=utcnow()))
