"""Media files by their SHA-256, for whoever may see a lesson they belong to (``access``).

It must not decide access itself.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, send_from_directory
from flask_login import login_required

from .. import access

bp = Blueprint("media", __name__)


@bp.get("/media/<sha256>.<ext>")
@login_required
def media_file(sha256: str, ext: str):
    asset = access.media_or_404(sha256, ext)
    root = Path(current_app.config["MEDIA_ROOT"])
    response = send_from_directory(root, asset.filename, mimetype=asset.mime_type,
                                   conditional=True, max_age=3600)
    # Only for this signed-in person's browser: a shared cache must not keep a lesson's media
    # for whoever asks next.
    response.cache_control.public = False
    response.cache_control.private = True
    return response
