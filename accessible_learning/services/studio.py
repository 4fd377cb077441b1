"""The studio's changes to a lesson, each one transaction, and read models for the studio,
examiner and admin areas.

Each change here commits when it succeeds and rolls back when it fails (the project's
transaction rule: services end their transactions, views never touch ``db.session``). The
building blocks it calls (``captions.add_track``, ``descriptions.add`` …) only flush, so that a
job or the demo can combine them into one transaction of its own.
"""

from __future__ import annotations

from sqlalchemy import func, select

from media_pipeline.captions import Cue
from media_pipeline.describe import Description
from media_pipeline.errors import MediaError

from .. import jobs
from ..extensions import db
from ..models import (
    LEARNER,
    ROLES,
    CaptionTrack,
    Course,
    DescriptionTrack,
    Enrolment,
    Lesson,
    LessonProgress,
    MediaAsset,
    User,
)
from . import captions, descriptions, media, renditions


def replace_media(lesson: Lesson, upload, script: str | None) -> MediaAsset:
    """Store the upload (probed first: MediaError for anything that is not usable media, and
    nothing changes), keep the script, and queue its captions. A lesson without published
    captions takes it as its media at once; otherwise it waits as the new media, and learners
    keep the media they have, with its reviewed captions, until captions made for the new one
    are published (``captions.publish``)."""
    try:
        asset = media.store_upload(upload)
    except MediaError:
        db.session.rollback()
        raise
    if lesson.media is None or lesson.published_captions is None:
        lesson.media, lesson.new_media = asset, None
    elif asset.id == lesson.media_id:
        lesson.new_media = None  # the same file again
    else:
        lesson.new_media = asset
    lesson.script = (script or "").strip() or None
    db.session.commit()
    if renditions.for_media(asset) is None:
        jobs.enqueue_renditions(asset)  # smaller versions for slow links, while it is reviewed
    jobs.enqueue_caption(lesson)  # (queued last, it is the lesson's newest job)
    return asset


def save_captions(lesson: Lesson, cues: list[Cue], checks: list[dict] | None = None,
                  media_id: int | None = None, translation: str | None = None) -> CaptionTrack:
    """Imported or edited captions, as a new draft version (earlier versions are kept), with
    the review carried over from the version edited (``captions.carry_checks``) and for the
    media it was made for; ``translation``: a translation into that language."""
    track = captions.add_track(lesson, cues, source="edited", publish=False, checks=checks,
                               media_id=media_id, translation=translation)
    db.session.commit()
    return track


def start_translation(lesson: Lesson, language: str) -> CaptionTrack:
    """A draft translation made from the lesson's captions (``captions.NothingToTranslate``
    when it has none)."""
    track = captions.start_translation(lesson, language)
    db.session.commit()
    return track


def add_description(lesson: Lesson, item: Description) -> DescriptionTrack:
    track = descriptions.add(lesson, item)
    db.session.commit()
    return track


def remove_description(lesson: Lesson, index: int) -> DescriptionTrack | None:
    track = descriptions.remove(lesson, index)
    if track is not None:
        db.session.commit()
    return track


def import_descriptions(lesson: Lesson, data: bytes, filename: str) -> DescriptionTrack:
    """The draft's cues from a WebVTT/SRT file; MediaError names the line, nothing changes."""
    try:
        track = descriptions.import_file(lesson, data, filename)
    except MediaError:
        db.session.rollback()
        raise
    db.session.commit()
    return track


def admin_summary() -> dict:
    # The staff by role over their partial index; the learners are everyone else (a count of
    # all users, not a pass over every learner's row to group it).
    by_role = dict(db.session.execute(select(User.role, func.count()).where(User.role != LEARNER)
                                      .group_by(User.role)).all())
    by_role[LEARNER] = (db.session.scalar(select(func.count()).select_from(User))
                        - sum(by_role.values()))
    return {
        "users_by_role": [(role, by_role.get(role, 0)) for role in ROLES],
        "courses": db.session.scalar(select(func.count()).select_from(Course)),
        "lessons": db.session.scalar(select(func.count()).select_from(Lesson)),
        "enrolments": db.session.scalar(select(func.count()).select_from(Enrolment)),
        "lessons_completed": db.session.scalar(
            select(func.count()).select_from(LessonProgress).where(LessonProgress.completed)
        ),
    }
