"""A live class's replay (issue 28): its recording becomes a draft lesson of the course.

It must not queue jobs (the job that calls it queues the lesson's captions and renditions) nor
decide who sees the lesson (a draft: the content team reviews and publishes it).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import current_app

from media_pipeline.errors import MediaError
from media_pipeline.extract import remux_recording

from ..extensions import db
from ..models import LiveClass
from . import authoring, media


def make_replay(live_class: LiveClass) -> LiveClass:
    """The recording as a draft lesson of the course: remuxed to MP4, stored under its hash,
    (the caller queues its captions, made by the batch pipeline and reviewed like any upload's).
    A replay made already is kept. Raises MediaError when the recording is not usable media."""
    if live_class.replay_lesson is not None:
        return live_class
    source = Path(live_class.recording or "")
    if not source.is_file():
        raise MediaError("The class's recording is missing, so no replay could be made.")
    scratch = Path(tempfile.mkdtemp(prefix="replay-", dir=current_app.config["LIVE_ROOT"]))
    try:
        target = remux_recording(source, scratch / "replay.mp4")
        asset = media.store_file(target, "mp4", original_name=f"{live_class.title}.mp4")
        db.session.flush()
        lesson = authoring.new_draft_lesson(
            live_class.course, f"{live_class.title} (replay)", live_class.language,
            f"The recording of the live class of {live_class.starts_at:%Y-%m-%d %H:%M} UTC.")
        lesson.media = asset
        live_class.replay_lesson = lesson
        db.session.commit()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return live_class
