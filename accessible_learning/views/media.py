from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Lesson, MediaAsset
from ..services import catalogue

bp = Blueprint("media", __name__)


@bp.get("/media/<sha256>.<ext>")
@login_required
def media_file(sha256: str, ext: str):
    asset = db.session.scalar(select(MediaAsset).where(MediaAsset.sha256 == sha256))
    if asset is None or asset.extension != ext:
        abort(404)
    lessons = db.session.scalars(select(Lesson).where(Lesson.media_id == asset.id))
    if not any(catalogue.can_view_lesson(current_user, lesson) for lesson in lessons):
        abort(404)
    root = Path(current_app.config["MEDIA_ROOT"])
    return send_from_directory(root, asset.filename, mimetype=asset.mime_type, conditional=True,
                               max_age=3600)
