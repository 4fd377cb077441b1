"""Media files by their SHA-256, for whoever may see a lesson they belong to (``access``).

It must not decide access itself.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_file, send_from_directory
from flask_login import login_required

from .. import access
from ..services import offline, renditions

bp = Blueprint("media", __name__)


@bp.get("/media/<sha256>.<ext>")
@login_required
def media_file(sha256: str, ext: str):
    asset = access.media_or_404(sha256, ext)
    root = Path(current_app.config["MEDIA_ROOT"])
    response = send_from_directory(root, asset.filename, mimetype=asset.mime_type,
                                   conditional=True, max_age=3600)
    return _private(response)


@bp.get("/media/<sha256>/renditions/<path:name>")
@login_required
def rendition_file(sha256: str, name: str):
    """The smaller versions of a media file: HLS playlists and segments, and the audio only."""
    asset = access.media_by_hash_or_404(sha256)
    row = renditions.for_media(asset)
    path = renditions.file_of(row, name) if row is not None else None
    if path is None or not path.is_file():
        abort(404)
    only = request.args.get("only")
    if only is not None:  # the master playlist naming one rendition: a lesson saved offline
        text = offline.master_only(row, only) if name == renditions.MASTER else None
        if text is None:
            abort(404)
        return _private(Response(text, mimetype=renditions.content_type(name)))
    # Segments never change under their name (a new ladder is a new folder's content only
    # after the job replaced it whole), so a day's caching is safe; playlists likewise.
    response = send_file(path, mimetype=renditions.content_type(name), conditional=True,
                         max_age=86400)
    return _private(response)


def _private(response):
    # Only for this signed-in person's browser: a shared cache must not keep a lesson's media
    # for whoever asks next.
    response.cache_control.public = False
    response.cache_control.private = True
    return response
