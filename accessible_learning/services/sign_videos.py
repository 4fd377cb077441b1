"""Sign-language videos of a lesson (MAUR SL-1 … SL-5): an interpreter's video the content team
uploads, made for the lesson's media as captions are, at most one per sign language for that
media; the player shows it beside or over the lesson's video, or swapped with it, and keeps it
in step (``static/js/player/sign.js``).

Each change here commits when it succeeds and rolls back when it fails. It must not decide who
may see a sign video (``access`` does).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from media_pipeline.errors import MediaError

from ..extensions import db
from ..models import Lesson, SignVideo
from . import media

# The sign languages offered, by their ISO 639-3 codes (the codes a <video>'s lang takes).
SIGN_LANGUAGES = [
    ("kvk", _l("Korean Sign Language")),
    ("csl", _l("Chinese Sign Language")),
    ("ase", _l("American Sign Language")),
    ("bfi", _l("British Sign Language")),
    ("jsl", _l("Japanese Sign Language")),
    ("ils", _l("International Sign")),
]
LANGUAGE_CODES = {code for code, _name in SIGN_LANGUAGES}
# A sign video is a picture: WebM or MP4 (audio files are refused before they are probed).
VIDEO_EXTENSIONS = ("webm", "mp4")
MAX_LABEL = 100


class SignVideoError(Exception):
    """A sign video that cannot be kept, in words for the person who uploaded it."""


def language_name(code: str) -> str:
    return str(dict(SIGN_LANGUAGES).get(code, code))


def made_for(lesson: Lesson, which: str):
    """The lesson media a new sign video is for: the current media, or the new media while it
    waits for its captions."""
    if which == "new" and lesson.new_media is not None:
        return lesson.new_media
    return lesson.media


def add(lesson: Lesson, upload, language: str, label: str, which: str = "current") -> SignVideo:
    """Store the upload as the lesson's sign video in ``language`` for its current (or new)
    media. MediaError for a file that is not a readable video, SignVideoError for one that
    cannot be a sign video here; either way nothing changes."""
    target = made_for(lesson, which)
    if target is None:
        raise SignVideoError(_("Upload the lesson's media first: a sign-language video is made "
                               "for it."))
    if language not in LANGUAGE_CODES:
        raise SignVideoError(_("Choose the sign language from the list."))
    label = " ".join((label or "").split())
    if len(label) > MAX_LABEL:
        raise SignVideoError(_("The label must be 100 characters or fewer."))
    taken = db.session.scalar(select(SignVideo.id).where(
        SignVideo.lesson_id == lesson.id, SignVideo.media_id == target.id,
        SignVideo.language == language))
    if taken is not None:
        raise SignVideoError(_(
            "This media already has a video in %(language)s. Remove it below first, then upload "
            "the new one.", language=language_name(language)))
    name = (getattr(upload, "filename", "") or "").lower()
    if not name.endswith(tuple("." + ext for ext in VIDEO_EXTENSIONS)):
        raise SignVideoError(_("Upload the sign-language video as a WebM or MP4 video file."))

    def has_picture(info) -> None:
        if not info.has_video:
            raise SignVideoError(_("This file has sound but no picture. Upload the video of "
                                   "the interpreter (WebM or MP4)."))

    try:
        asset = media.store_upload(upload, check=has_picture, need_audio=False)
        db.session.flush()
        sign = SignVideo(lesson_id=lesson.id, media_id=target.id, asset_id=asset.id,
                         language=language, label=label)
        db.session.add(sign)
        db.session.commit()
    except (MediaError, SignVideoError):
        db.session.rollback()
        raise
    return sign


def remove(lesson: Lesson, sign_id: int) -> SignVideo | None:
    """Take the sign video off the lesson (its file stays: files are kept by content, and may
    serve elsewhere). None when the lesson has no such sign video."""
    sign = db.session.get(SignVideo, sign_id)
    if sign is None or sign.lesson_id != lesson.id:
        return None
    db.session.delete(sign)
    db.session.commit()
    return sign


def for_player(lesson: Lesson) -> list[dict]:
    """What the player offers: the sign videos made for the lesson's media."""
    return [{"id": s.id, "language": s.language, "name": language_name(s.language),
             "label": s.label, "asset": s.asset} for s in lesson.offered_sign_videos]
