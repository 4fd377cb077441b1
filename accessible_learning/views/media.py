from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import DescriptionTrack, Lesson, MediaAsset
from ..services import catalogue

bp = Blueprint("media", __name__)


@bp.get("/media/<sha256>.<ext>")
@login_required
def media_file(sha256: str, ext: str):
    asset = db.session.scalar(select(MediaAsset).where(MediaAsset.sha256 == sha256))
    if asset is None or asset.extension != ext:
        abort(404)
    lessons = list(db.session.scalars(select(Lesson).where(Lesson.media_id == asset.id)))
    # The described and extended versions of a lesson: learners only get published ones.
    described = db.session.scalars(select(DescriptionTrack).where(
        (DescriptionTrack.mixed_media_id == asset.id)
        | (DescriptionTrack.extended_media_id == asset.id)))
    lessons += [t.lesson for t in described
                if t.status == "published" or current_user.has_role("content")]
    if not any(catalogue.can_view_lesson(current_user, lesson) for lesson in lessons):
        abort(404)
    root = Path(current_app.config["MEDIA_ROOT"])
    return send_from_directory(root, asset.filename, mimetype=asset.mime_type, conditional=True,
                               max_age=3600)
