"""Smaller versions of lesson media for slow links and taking lessons away (issue 29): making
them (the renditions job calls ``make``), finding a media file's, and the files the player may
ask for.

The pipeline (``media_pipeline.renditions``) writes them; this module keeps them under
``renditions/<sha256>/`` in the media folder, one ``RenditionSet`` row per media file.
It must not decide who may fetch them (``access`` does) nor choose one for a learner (the player
does, from the learner's ``video_quality``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from media_pipeline import renditions as pipeline

from ..extensions import db
from ..models import Lesson, MediaAsset, RenditionSet
from .media import media_root

# What the player may fetch inside a set's folder: the master playlist, the audio-only file,
# and each rendition's playlist, initialisation segment and media segments.
_FILE = re.compile(r"^(?:master\.m3u8|audio\.webm|"
                   r"(?P<rung>\d{3,4}p)/(?:index\.m3u8|init(?:_\d{1,2})?\.mp4|segment-\d{3,5}\.m4s))$")
MASTER = pipeline.MASTER  # the master playlist's name in a set's folder
TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".mp4": "video/mp4",
         ".m4s": "video/iso.segment", ".webm": "audio/webm"}


def folder_for(asset: MediaAsset) -> str:
    return f"renditions/{asset.sha256}"


def for_media(asset: MediaAsset | None) -> RenditionSet | None:
    if asset is None:
        return None
    return db.session.scalar(select(RenditionSet).where(RenditionSet.media_id == asset.id))


def is_lesson_media(asset: MediaAsset) -> bool:
    """Media a lesson plays or will play (not a description's mix or a sign video)."""
    return db.session.scalar(select(Lesson.id).where(
        (Lesson.media_id == asset.id) | (Lesson.new_media_id == asset.id)).limit(1)) is not None


def missing() -> list[MediaAsset]:
    """Lesson media (current or waiting for review) without smaller versions yet."""
    used = select(Lesson.media_id).where(Lesson.media_id.is_not(None)).union(
        select(Lesson.new_media_id).where(Lesson.new_media_id.is_not(None)))
    return list(db.session.scalars(
        select(MediaAsset).where(MediaAsset.id.in_(used),
                                 ~MediaAsset.id.in_(select(RenditionSet.media_id)))
        .order_by(MediaAsset.id)))


def make(asset: MediaAsset, progress: Callable[[str], None] | None = None) -> RenditionSet:
    """Make the asset's renditions (MediaError when ffmpeg cannot) and record them; a set made
    before is replaced only once the new one is complete."""
    folder = folder_for(asset)
    made = pipeline.make_renditions(Path(media_root()) / asset.filename,
                                    Path(media_root()) / folder,
                                    progress=progress)
    row = for_media(asset) or RenditionSet(media_id=asset.id, folder=folder)
    row.folder = folder
    row.variants = [{"name": r.name, "width": r.width, "height": r.height, "bytes": r.bytes,
                     "peak_kbps": round(r.peak_kbps / 1000)} for r in made.video]
    row.audio_bytes = made.audio.bytes if made.audio else None
    row.seconds = round(made.seconds, 2)
    db.session.add(row)
    return row


def file_of(row: RenditionSet, name: str) -> Path | None:
    """The path of one file of the set, or None when ``name`` is not one the player asks for
    (or names a rendition the set does not have)."""
    match = _FILE.match(name)
    if match is None:
        return None
    if match["rung"] and match["rung"] not in {v["name"] for v in row.variants}:
        return None
    if name == pipeline.AUDIO_ONLY and not row.audio_bytes:
        return None
    if name == pipeline.MASTER and not row.variants:
        return None
    return Path(media_root()) / row.folder / name


def content_type(name: str) -> str:
    return TYPES[Path(name).suffix]


def quality_names(row: RenditionSet | None) -> list[str]:
    """The video renditions a learner may fix, tallest first."""
    return [v["name"] for v in row.variants] if row else []


def quality_for(row: RenditionSet | None, wanted: str) -> str:
    """The learner's quality as this media has it: "auto" and "original" as they are, a fixed
    height the set lacks as the tallest one below it (else the smallest): a learner saving data
    never gets more than they chose."""
    names = quality_names(row)
    if wanted in ("auto", "original") or wanted in names:
        return wanted
    if not names:
        return "original"
    height = int(wanted[:-1]) if wanted[:-1].isdigit() else 0
    lower = [v["name"] for v in row.variants if v["height"] <= height]
    return lower[0] if lower else names[-1]


__all__ = ["MASTER", "content_type", "file_of", "folder_for", "for_media", "is_lesson_media",
           "make", "missing", "quality_for", "quality_names"]
