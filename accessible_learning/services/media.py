"""Storing media files under their content hash.

It must never name a file by its uploaded name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from media_pipeline.errors import MediaError
from media_pipeline.probe import MediaInfo, probe

from ..extensions import db
from ..models import MediaAsset

MIME_TYPES = {"webm": "video/webm", "mp4": "video/mp4", "wav": "audio/wav", "ogg": "audio/ogg",
              "mp3": "audio/mpeg", "m4a": "audio/mp4"}


def media_root() -> Path:
    root = Path(current_app.config["MEDIA_ROOT"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_file(path: Path, extension: str, original_name: str | None = None,
               check: Callable[[MediaInfo], None] | None = None,
               need_audio: bool = True) -> MediaAsset:
    """Probe, then copy into the media folder as <sha256>.<ext> (temporary name, then rename).
    ``check`` sees what the probe found before anything is kept, and may refuse it (raise);
    ``need_audio=False`` takes a video without sound (a sign-language video)."""
    # refuses unreadable media before anything else touches it
    info = probe(path, need_audio=need_audio)
    if check is not None:
        check(info)
    digest = sha256_of(path)
    existing = db.session.scalar(select(MediaAsset).where(MediaAsset.sha256 == digest))
    if existing is not None:
        return existing
    target = media_root() / f"{digest}.{extension}"
    if not target.exists():
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    asset = MediaAsset(
        sha256=digest, extension=extension, mime_type=MIME_TYPES.get(extension, "video/webm"),
        size_bytes=target.stat().st_size, duration_s=info.duration_s,
        probe={"format": info.format_name, "has_video": info.has_video,
               "width": info.width, "height": info.height},
        original_name=original_name,
    )
    db.session.add(asset)
    return asset


ALLOWED_UPLOADS = ("webm", "mp4", "m4a", "mp3", "wav", "ogg")
INCOMING_KEPT_S = 24 * 3600  # an upload still being stored is minutes old, never a day


def sweep_incoming(now: float | None = None) -> int:
    """Remove what uploads left in ``.incoming`` more than a day ago (a web process killed while
    it stored one); run as each server process starts. Returns how many files went."""
    incoming = media_root() / ".incoming"
    now = time.time() if now is None else now
    removed = 0
    for path in incoming.glob("tmp*") if incoming.is_dir() else ():
        try:
            if now - path.stat().st_mtime > INCOMING_KEPT_S:
                path.unlink()
                removed += 1
        except OSError:
            pass  # gone already, or not ours to remove
    return removed


def store_upload(upload, check: Callable[[MediaInfo], None] | None = None,
                 need_audio: bool = True) -> MediaAsset:
    """Keep an uploaded file under its content hash, after probing it. A file that is not usable
    media raises MediaError and nothing is kept."""
    name = upload.filename or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_UPLOADS:
        raise MediaError("Upload a video or audio file: WebM, MP4, M4A, MP3, WAV or OGG.")
    incoming = media_root() / ".incoming"
    incoming.mkdir(exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=incoming, suffix=f".{extension}")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        upload.save(tmp)
        return store_file(tmp, extension, original_name=name[:255], check=check,
                          need_audio=need_audio)
    finally:
        tmp.unlink(missing_ok=True)
