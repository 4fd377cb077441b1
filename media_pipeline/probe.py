"""probe: read what a media file is with ffprobe, refusing what we cannot use.

Owns: ffprobe reading, the local-files-only protocol list and the limits on duration and size.
Must not: decode or convert media (``extract``), or accept anything it cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import ffmpeg

from .errors import MediaError

# ffmpeg may read local files only (DESIGN.md §9), and only through the demuxers of the
# containers we accept, none of which opens another file: a playlist or concat script naming a
# local file is refused before anything it names is opened, with the same words whether that
# file exists or not (so an upload cannot test which files exist on the server).
DIRECT_FORMATS = "matroska,webm,mov,mp4,m4a,3gp,3g2,mj2,mp3,wav,ogg,flac,aac"
LOCAL_ONLY = {"protocol_whitelist": "file", "format_whitelist": DIRECT_FORMATS}
INPUT_OPTIONS = ["-protocol_whitelist", "file", "-format_whitelist", DIRECT_FORMATS]


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    format_name: str
    has_audio: bool
    has_video: bool
    width: int | None = None
    height: int | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


def probe(path: str | Path, *, max_duration_s: float = 4 * 3600,
          need_audio: bool = True) -> MediaInfo:
    """What the file is. ``need_audio=False`` takes a video without sound (a sign-language
    interpreter's video); any other media must have sound, to be captioned."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"The file {path.name} does not exist.")
    if path.stat().st_size == 0:
        raise MediaError("The file is empty. Choose the lesson's video or audio file again.")
    try:
        data = ffmpeg.probe(str(path), **LOCAL_ONLY)
    except ffmpeg.Error as exc:
        raise MediaError(
            "This file is not a video or audio file that can be read. Check that it plays on "
            "your computer, then upload it again."
        ) from exc
    streams = data.get("streams", [])
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    video = [s for s in streams if s.get("codec_type") == "video"
             and not s.get("disposition", {}).get("attached_pic")]
    if not audio and need_audio:
        raise MediaError("The file has no sound track, so it cannot be captioned. "
                         "Upload a version with sound.")
    if not audio and not video:
        raise MediaError("This file is not a video or audio file that can be read. Check that "
                         "it plays on your computer, then upload it again.")
    try:
        duration = float(data.get("format", {}).get("duration")
                         or (audio or video)[0].get("duration"))
    except (TypeError, ValueError) as exc:
        raise MediaError("The length of the file cannot be read; it may be truncated. "
                         "Export it again and upload the new file.") from exc
    if duration <= 0:
        raise MediaError("The file has no playable length. Export it again and upload it.")
    if duration > max_duration_s:
        raise MediaError(
            f"The file is {duration / 3600:.1f} hours long; the limit is "
            f"{max_duration_s / 3600:.1f} hours. Split it into shorter lessons."
        )
    return MediaInfo(
        duration_s=duration,
        format_name=data.get("format", {}).get("format_name", ""),
        has_audio=bool(audio),
        has_video=bool(video),
        width=video[0].get("width") if video else None,
        height=video[0].get("height") if video else None,
        raw=data,
    )
